//! Conversions between JS values and the kernel's serde types.

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::{JsError, JsValue};

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

/// Reads `value` through its JSON text, so that `#[serde(deny_unknown_fields)]` applies (a
/// misspelt configuration key is an error, not a silently ignored setting).
pub fn from_js_json<T: DeserializeOwned>(value: &JsValue, what: &str) -> Result<T, JsError> {
    let text = js_sys::JSON::stringify(value)
        .ok()
        .and_then(|text| text.as_string())
        .ok_or_else(|| JsError::new(&format!("invalid {what}: not a JSON value")))?;
    serde_json::from_str(&text).map_err(|e| JsError::new(&format!("invalid {what}: {e}")))
}
