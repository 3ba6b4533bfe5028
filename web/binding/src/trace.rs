//! Frames for the message trace.

use pos_kernel::codec::{Frame, FrameView};
use pos_kernel::engine::Record;
use wasm_bindgen::prelude::*;

use crate::js::{from_hex, to_js};

/// Decodes a frame (hex, 2-byte length included) for display: MTI, TPDU, header and every field
/// by number and name, with the PAN masked and expiry, track data and PIN block hidden. Throws
/// with the decoder's reason for a frame that does not decode.
#[wasm_bindgen(js_name = decodeFrame, unchecked_return_type = "FrameView")]
pub fn decode_frame(frame: &str) -> Result<JsValue, JsError> {
    let bytes = from_hex(frame, "frame")?;
    let frame = Frame::decode(&bytes).map_err(|e| JsError::new(&e.to_string()))?;
    to_js(&FrameView::of(&frame))
}

/// Decodes one journal record (hex, as a `persist` output carries it) for display: the kernel's
/// `Record` in its serde JSON shape (`{"approved": {...}}`, `"signed_off"`, ...), as
/// `Record::masked` shows it: every PAN masked, the messages it carries as a trace shows them.
/// Throws for bytes that are not a record.
#[wasm_bindgen(js_name = decodeRecord, unchecked_return_type = "any")]
pub fn decode_record(record: &str) -> Result<JsValue, JsError> {
    let bytes = from_hex(record, "journal record")?;
    let record = Record::decode(&bytes).map_err(|e| JsError::new(&e.to_string()))?;
    to_js(&record.masked())
}
