//! Conversions between JS values and the kernel's serde types.
//!
//! Every value from JavaScript is checked here, so that a mistake gets an `Error` that names the
//! field and what was expected ("invalid input at `command.sale.amount`: expected a whole number
//! (u64), got -1"), never a silently ignored key and never a trap inside the module.

use js_sys::{Array, Object, Reflect};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsError, JsValue};

/// The one serializer every export uses: `None` as `null` (as in the vector files), maps as
/// plain objects, and 64-bit integers as plain numbers (an amount or timestamp beyond 2^53 is an
/// error rather than a silently rounded number).
fn serializer() -> serde_wasm_bindgen::Serializer {
    serde_wasm_bindgen::Serializer::new()
        .serialize_missing_as_null(true)
        .serialize_maps_as_objects(true)
}

pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serializer())
        .map_err(|e| JsError::new(&format!("cannot convert to JS: {e}")))
}

/// Reads `value` as a `T`; `what` names the argument, the error the field within it.
pub fn from_js<T: DeserializeOwned>(value: JsValue, what: &str) -> Result<T, JsError> {
    serde_wasm_bindgen::from_value(value.clone()).map_err(|e| invalid(&value, &e.to_string(), what))
}

/// The error for `value`, which serde refused with `message` (not generic: one copy for all
/// types).
#[inline(never)]
fn invalid(value: &JsValue, message: &str, what: &str) -> JsError {
    let at = culprit(message)
        .and_then(|needle| path_of(value, &needle, ""))
        .map(|path| format!(" at `{path}`"))
        .unwrap_or_default();
    JsError::new(&format!("invalid {what}{at}: {}", plain(message)))
}

/// What a serde error quotes of the offending value: `-1.0` of "floating point `-1.0`", `x` of
/// "unknown variant `x`", `x` of `string "x"`.
fn culprit(message: &str) -> Option<Needle> {
    let quoted = |open: char, close: char| {
        let start = message.find(open)? + open.len_utf8();
        let end = start + message.get(start..)?.find(close)?;
        message.get(start..end)
    };
    if message.contains("unknown variant") {
        return quoted('`', '`').map(|v| Needle::Text(v.to_owned()));
    }
    if let Some(rest) = message.split("string \"").nth(1) {
        return rest.split('"').next().map(|v| Needle::Text(v.to_owned()));
    }
    quoted('`', '`').map(|v| Needle::Number(v.to_owned()))
}

enum Needle {
    Text(String),
    /// A number as serde wrote it: `-1.0` (a float), `5` (an integer).
    Number(String),
}

/// Where in `value` the offending value is (depth first; a key for an unknown variant): where
/// the path of a nested input lies, found without a deserializer that tracks one per type (which
/// costs code for every type in the module).
fn path_of(value: &JsValue, needle: &Needle, prefix: &str) -> Option<String> {
    let here = match needle {
        Needle::Text(text) => value.as_string().is_some_and(|s| &s == text),
        // Compared as text: parsing a float would link a float parser into the module.
        Needle::Number(text) => value
            .as_f64()
            .is_some_and(|n| format!("{n:?}") == *text || format!("{n}") == *text),
    };
    if here {
        return Some(prefix.to_owned());
    }
    if !value.is_object() {
        return None;
    }
    let join = |key: &str| {
        if prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{prefix}.{key}")
        }
    };
    if Array::is_array(value) {
        for (i, item) in Array::from(value).iter().enumerate() {
            if let Some(found) = path_of(&item, needle, &join(&i.to_string())) {
                return Some(found);
            }
        }
        return None;
    }
    for key in Object::keys(value.unchecked_ref::<Object>()).iter() {
        let Some(name) = key.as_string() else { continue };
        if matches!(needle, Needle::Text(text) if *text == name) {
            return Some(join(&name));
        }
        let inner = Reflect::get(value, &key).ok()?;
        if let Some(found) = path_of(&inner, needle, &join(&name)) {
            return Some(found);
        }
    }
    None
}

/// serde's words for the types a JS caller knows by other names.
fn plain(message: &str) -> String {
    [
        ("expected u64", "expected a whole number from 0 (u64)"),
        ("expected u32", "expected a whole number from 0 to 4294967295 (u32)"),
        ("expected u16", "expected a whole number from 0 to 65535 (u16)"),
        ("expected u8", "expected a whole number from 0 to 255 (u8)"),
        ("expected i32", "expected a whole number (i32)"),
        ("floating point `", "number `"),
        ("invalid type: ", ""),
        ("Error: ", ""),
        (".0`", "`"),
    ]
    .iter()
    .fold(message.to_owned(), |text, (from, to)| text.replace(from, to))
}

/// Reads `value` as a `T` whose unknown keys are errors: a misspelt key (`crad` for `card`)
/// must not be a silently ignored value. serde-wasm-bindgen reads only the fields it knows, so
/// the keys are checked against the parsed value written back: every key given with a value must
/// be there. (A key given as `null`, `undefined` or `false` is what an absent one means, and the
/// kernel's types leave those out when they write.)
pub fn from_js_strict<T: DeserializeOwned + Serialize>(value: JsValue, what: &str) -> Result<T, JsError> {
    let parsed: T = from_js(value.clone(), what)?;
    if let Some(path) = unknown_key(&value, &to_js(&parsed)?, "") {
        return Err(JsError::new(&format!("invalid {what}: unknown field `{path}`")));
    }
    Ok(parsed)
}

/// The first key of `given` (at any depth of plain objects) that `known` lacks, as a dotted path.
fn unknown_key(given: &JsValue, known: &JsValue, prefix: &str) -> Option<String> {
    if !given.is_object() || Array::is_array(given) {
        return None;
    }
    let known_keys: Vec<String> = Object::keys(known.unchecked_ref::<Object>())
        .iter()
        .filter_map(|k| k.as_string())
        .collect();
    for key in Object::keys(given.unchecked_ref::<Object>()).iter() {
        let Some(name) = key.as_string() else { continue };
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        let inner_given = Reflect::get(given, &key).ok()?;
        if !known_keys.contains(&name) {
            let absent = inner_given.is_null() || inner_given.is_undefined() || inner_given.as_bool() == Some(false);
            if absent {
                continue;
            }
            return Some(path);
        }
        let inner_known = Reflect::get(known, &key).ok()?;
        if inner_known.is_object() {
            if let Some(found) = unknown_key(&inner_given, &inner_known, &path) {
                return Some(found);
            }
        }
    }
    None
}

/// A string argument; anything else is an error naming it (wasm-bindgen's own `&str` glue traps
/// on a number).
pub fn string(value: &JsValue, what: &str) -> Result<String, JsError> {
    value
        .as_string()
        .ok_or_else(|| JsError::new(&format!("invalid {what}: expected a string, got {}", describe(value))))
}

/// A hex string argument as bytes.
pub fn hex_arg(value: &JsValue, what: &str) -> Result<Vec<u8>, JsError> {
    from_hex(&string(value, what)?, what)
}

/// A JS value named by its kind, for errors.
fn describe(value: &JsValue) -> String {
    if let Some(n) = value.as_f64() {
        format!("the number {n}")
    } else if value.is_null() {
        "null".into()
    } else if value.is_undefined() {
        "nothing (undefined)".into()
    } else if Array::is_array(value) {
        "an array".into()
    } else if value.is_object() {
        "an object".into()
    } else {
        "a value of another type".into()
    }
}

/// Decodes a lowercase or uppercase hex string.
pub fn from_hex(text: &str, what: &str) -> Result<Vec<u8>, JsError> {
    hex::decode(text).map_err(|e| JsError::new(&format!("invalid {what} (expected hex): {e}")))
}
