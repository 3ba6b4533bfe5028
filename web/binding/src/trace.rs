//! Frames for the message trace.

use pos_kernel::codec::{Frame, FrameView};
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
