//! Frames for the message trace.

use pos_kernel::codec::{Frame, FrameView};
use pos_kernel::engine::Record;
use wasm_bindgen::prelude::*;

use crate::js::{hex_arg, to_js};

/// Decodes a frame (hex, 2-byte length included) for display: MTI, TPDU, header and every field
/// by number and name, with the PAN masked and expiry, track data and PIN block hidden. Throws
/// with the decoder's reason for a frame that does not decode.
#[wasm_bindgen(js_name = decodeFrame, unchecked_return_type = "FrameView")]
pub fn decode_frame(#[wasm_bindgen(unchecked_param_type = "Hex")] frame: JsValue) -> Result<JsValue, JsError> {
    let bytes = hex_arg(&frame, "frame")?;
    let frame = Frame::decode(&bytes).map_err(|e| JsError::new(&e.to_string()))?;
    to_js(&FrameView::of(&frame))
}

/// Decodes one journal record (hex, as a `persist` output carries it) for display: the kernel's
/// `Record` in its serde JSON shape (`{"approved": {...}}`, `"signed_off"`, ...), as
/// `Record::masked` shows it: every PAN masked, the messages it carries as a trace shows them.
/// Throws for bytes that are not a record.
#[wasm_bindgen(js_name = decodeRecord, unchecked_return_type = "JournalRecord")]
pub fn decode_record(#[wasm_bindgen(unchecked_param_type = "Hex")] record: JsValue) -> Result<JsValue, JsError> {
    let bytes = hex_arg(&record, "journal record")?;
    let record = Record::decode(&bytes).map_err(|e| JsError::new(&e.to_string()))?;
    to_js(&record.masked())
}
