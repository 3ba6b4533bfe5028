//! A frame as a person may see it (message traces, logs): every field by number and name, with
//! the cardholder's secrets masked (docs/architecture.md, rule 12). The PAN keeps its first 6 and last 4
//! digits; expiry, track data and the PIN block are never shown.

use serde::{Deserialize, Serialize};

use super::field::{spec, FieldKind};
use super::frame::Frame;
use crate::pan;

/// One field of a [`FrameView`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct FieldView {
    pub number: u8,
    /// The profile's name for the field.
    pub name: String,
    /// Digits and text as they are; binary fields as uppercase hex; secrets masked.
    pub value: String,
}

/// A decoded frame for display.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct FrameView {
    /// Four digits, e.g. `0200`.
    pub mti: String,
    pub tpdu_destination: u16,
    pub tpdu_source: u16,
    pub header_status: u8,
    /// The host's processing requirement (3 = sign on again).
    pub header_requirement: u8,
    pub fields: Vec<FieldView>,
}

/// Fields whose values a person must never see in full.
const EXPIRY: u8 = 14;
const PAN: u8 = 2;
const TRACK_2: u8 = 35;
const TRACK_3: u8 = 36;
const PIN_BLOCK: u8 = 52;

impl FrameView {
    pub fn of(frame: &Frame) -> FrameView {
        let fields = frame
            .message
            .fields()
            .map(|(number, bytes)| FieldView {
                number,
                name: spec(number).map_or("undefined", |s| s.name).to_owned(),
                value: shown(number, bytes),
            })
            .collect();
        FrameView {
            mti: frame.message.mti.digits(),
            tpdu_destination: frame.tpdu.destination,
            tpdu_source: frame.tpdu.source,
            header_status: frame.header.status,
            header_requirement: frame.header.requirement,
            fields,
        }
    }
}

impl crate::codec::Message {
    /// A copy for display (a journal record shown to a person): every value replaced by what a
    /// [`FrameView`] shows of it, so the PAN is masked and expiry, track data and the PIN block
    /// are hidden. Not for sending: binary values become hex text.
    pub fn masked(&self) -> crate::codec::Message {
        let mut masked = crate::codec::Message::new(self.mti);
        for (number, bytes) in self.fields() {
            masked.set(number, shown(number, bytes));
        }
        masked
    }
}

fn shown(number: u8, bytes: &[u8]) -> String {
    let text = || String::from_utf8_lossy(bytes).into_owned();
    match number {
        PAN => pan::mask(&text()),
        // Track data shows only the masked PAN before the separator.
        TRACK_2 | TRACK_3 => {
            let track = text();
            let account = track.split('=').next().unwrap_or_default();
            format!("{}=****", pan::mask(account))
        }
        EXPIRY => "****".to_owned(),
        PIN_BLOCK => "*".repeat(16),
        _ => match spec(number).map(|s| s.kind) {
            Some(FieldKind::Binary) | None => hex_upper(bytes),
            Some(_) => text(),
        },
    }
}

fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::{Header, Message, Mti, Tpdu};
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn masks_cardholder_secrets() {
        let message = Message::new(Mti(200))
            .with(2, "6222020000000007")
            .with(4, "000000001234")
            .with(14, "3012")
            .with(35, "6222020000000007=30121010000000")
            .with(52, vec![0x12; 8])
            .with(64, vec![0xAB; 8]);
        let frame = Frame {
            tpdu: Tpdu {
                destination: 3,
                source: 0,
            },
            header: Header {
                status: 0,
                requirement: 0,
            },
            message,
        };
        let masked = frame.message.masked();
        assert_eq!(masked.get_str(2), Some("622202******0007"));
        assert_eq!(masked.get_str(35), Some("622202******0007=****"));
        assert_eq!(masked.get_str(64), Some("ABABABABABABABAB"));
        let view = FrameView::of(&frame);
        let values: Vec<(u8, &str)> = view.fields.iter().map(|f| (f.number, f.value.as_str())).collect();
        assert_eq!(
            values,
            vec![
                (2, "622202******0007"),
                (4, "000000001234"),
                (14, "****"),
                (35, "622202******0007=****"),
                (52, "****************"),
                (64, "ABABABABABABABAB"),
            ]
        );
        assert_eq!(view.mti, "0200");
        let json = serde_json::to_string(&view).unwrap_or_default();
        assert!(!json.contains("6222020000000007"));
    }
}
