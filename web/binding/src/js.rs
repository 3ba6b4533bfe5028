//! Conversions between JS values and the kernel's serde types.

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

/// Reads `value` as a `T`; `what` names the argument in the error.
pub fn from_js<T: DeserializeOwned>(value: JsValue, what: &str) -> Result<T, JsError> {
    serde_wasm_bindgen::from_value(value).map_err(|e| JsError::new(&format!("invalid {what}: {e}")))
}

/// Decodes a lowercase or uppercase hex string.
pub fn from_hex(text: &str, what: &str) -> Result<Vec<u8>, JsError> {
    hex::decode(text).map_err(|e| JsError::new(&format!("invalid {what} (expected hex): {e}")))
}

/// Reads `value` as a `T` whose unknown keys are errors (the configuration: a misspelt key must
/// not be a silently ignored setting). serde-wasm-bindgen reads only the fields it knows, so the
/// keys are checked against the parsed value written back: every key given must be there.
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
        if !known_keys.contains(&name) {
            return Some(path);
        }
        let inner_given = Reflect::get(given, &key).ok()?;
        let inner_known = Reflect::get(known, &key).ok()?;
        if inner_known.is_object() {
            if let Some(found) = unknown_key(&inner_given, &inner_known, &path) {
                return Some(found);
            }
        }
    }
    None
}
