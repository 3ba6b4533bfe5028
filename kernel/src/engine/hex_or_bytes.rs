//! serde helper for bytes kept both in the journal and in outputs (downloaded keys and IC
//! parameters): raw bytes in a binary format (postcard: compact records), lowercase hex in a
//! human-readable one (JSON vectors, the JavaScript hosts), like the frames of `hex_bytes`.

use serde::{Deserializer, Serializer};

pub fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
    if serializer.is_human_readable() {
        super::hex_bytes::serialize(bytes, serializer)
    } else {
        serde_bytes::serialize(bytes, serializer)
    }
}

pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
    if deserializer.is_human_readable() {
        super::hex_bytes::deserialize(deserializer)
    } else {
        serde_bytes::deserialize(deserializer)
    }
}
