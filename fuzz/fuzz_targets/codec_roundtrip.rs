//! The codec: every frame that decodes re-encodes to exactly the same bytes (the decoder is
//! strict: one encoding per value), and nothing panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pos_kernel::codec::Frame;

fuzz_target!(|data: &[u8]| {
    if let Ok(frame) = Frame::decode(data) {
        let encoded = frame.encode().expect("a decoded frame encodes");
        assert_eq!(encoded, data, "decode then encode changed the bytes");
    }
});
