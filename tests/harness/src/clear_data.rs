//! Finding clear card data, PINs and keys in what the project wrote (docs/architecture.md, "Keys,
//! PIN and card data"): the one definition of that search, used for the vectors' journal records,
//! for a whole posterm day (every file and every line it printed) and for the browser's
//! IndexedDB dump.
//!
//! The secrets are learnt from the wire: every PAN, track, PIN block and key that crossed it
//! (the working keys decrypted from F62 with the test TMK), plus the test TMK and the clear PIN
//! fields of the PINs typed. Each is looked for in every encoding a leak could take: raw bytes,
//! ASCII digits, packed BCD, hex in either case, and JSON byte arrays (`[54,50,...]`, searched with
//! whitespace removed so pretty-printed arrays count too).

use pos_kernel::codec::Frame;
use pos_kernel::security::crypto::{self, TEST_TMK};
use pos_kernel::security::{KeyKind, WorkingKeys};

/// One secret, in every encoding it is looked for.
#[derive(Debug, Clone)]
struct Secret {
    what: String,
    /// Searched in the haystack as it is.
    forms: Vec<Vec<u8>>,
    /// Searched in the haystack with ASCII whitespace removed (JSON arrays).
    compact_forms: Vec<Vec<u8>>,
}

/// The secrets to look for.
#[derive(Debug, Clone, Default)]
pub struct Secrets {
    secrets: Vec<Secret>,
}

/// Where a secret was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub what: String,
    pub offset: usize,
}

fn hex(bytes: &[u8], upper: bool) -> Vec<u8> {
    bytes
        .iter()
        .map(|b| if upper { format!("{b:02X}") } else { format!("{b:02x}") })
        .collect::<String>()
        .into_bytes()
}

fn json_array(bytes: &[u8]) -> Vec<u8> {
    bytes
        .iter()
        .map(u8::to_string)
        .collect::<Vec<_>>()
        .join(",")
        .into_bytes()
}

/// Digits (and `=`/`D` separators) packed two per byte, `F`-padded, as BCD fields travel.
fn bcd(text: &str) -> Vec<u8> {
    let nibbles: Vec<u8> = text
        .bytes()
        .map(|c| match c {
            b'0'..=b'9' => c - b'0',
            b'=' | b'D' | b'd' => 0xD,
            _ => 0xF,
        })
        .collect();
    nibbles
        .chunks(2)
        .map(|pair| match pair {
            [hi, lo] => (hi << 4) | lo,
            [hi] => (hi << 4) | 0xF,
            _ => 0,
        })
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || needle.len() > haystack.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

impl Secrets {
    pub fn new() -> Secrets {
        Secrets::default()
    }

    /// How many distinct secrets are looked for.
    pub fn len(&self) -> usize {
        self.secrets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    fn push(&mut self, what: String, forms: Vec<Vec<u8>>, compact_forms: Vec<Vec<u8>>) {
        if !self.secrets.iter().any(|s| s.what == what) {
            self.secrets.push(Secret {
                what,
                forms,
                compact_forms,
            });
        }
    }

    /// Bytes (a key, a PIN block): raw, hex, JSON array.
    pub fn bytes(&mut self, what: &str, bytes: &[u8]) {
        let forms = vec![bytes.to_vec(), hex(bytes, true), hex(bytes, false)];
        self.push(
            format!("{what} {}", String::from_utf8_lossy(&hex(bytes, true))),
            forms,
            vec![json_array(bytes)],
        );
    }

    /// Digits (a PAN, a track, a PIN): ASCII, BCD, and the hex and JSON forms of both.
    pub fn digits(&mut self, what: &str, text: &str) {
        let ascii = text.as_bytes().to_vec();
        let packed = bcd(text);
        let forms = vec![
            ascii.clone(),
            hex(&ascii, true),
            hex(&ascii, false),
            packed.clone(),
            hex(&packed, true),
            hex(&packed, false),
        ];
        let shown = pos_kernel::pan::mask(text);
        self.push(
            format!("{what} {shown}"),
            forms,
            vec![json_array(&ascii), json_array(&packed)],
        );
    }

    /// The clear PIN field and clear PIN block of `pin` for `pan` (what a PED never lets out).
    pub fn pin(&mut self, pin: &str, pan: &str) {
        let field = format!("0{:X}{pin}", pin.len());
        self.digits("clear PIN field", &format!("{field:F<16}"));
        if let Ok(block) = crypto::clear_pin_block(pin, pan) {
            self.bytes("clear PIN block", &block);
        }
    }

    /// Everything that crossed the wire: PANs, tracks, PIN blocks, the working keys of every
    /// sign-on reply (decrypted with the test TMK), and the test TMK itself.
    pub fn from_wire<'a>(frames: impl IntoIterator<Item = &'a [u8]>) -> Secrets {
        let mut secrets = Secrets::new();
        secrets.bytes("test TMK", &TEST_TMK);
        for bytes in frames {
            let Ok(frame) = Frame::decode(bytes) else { continue };
            let message = &frame.message;
            if let Some(pan) = message.get_str(2) {
                secrets.digits("PAN", pan);
            }
            for (field, what) in [(35, "track 2"), (36, "track 3")] {
                if let Some(track) = message.get_str(field) {
                    secrets.digits(what, track);
                    // The track's digits before the separator are the PAN; after it, the rest.
                    if let Some((_, rest)) = track.split_once(['=', 'D', 'd']) {
                        if rest.len() >= 8 {
                            secrets.digits(&format!("{what} discretionary data"), rest);
                        }
                    }
                }
            }
            if let Some(block) = message.get(52) {
                secrets.bytes("PIN block", block);
            }
            if let Some(f62) = message.get(62).filter(|f| f.len() == WorkingKeys::F62_LENGTH) {
                if let Ok(keys) = WorkingKeys::from_f62(f62) {
                    for (key, kind) in [
                        (keys.pik, KeyKind::Pin),
                        (keys.mak, KeyKind::Mac),
                        (keys.tdk, KeyKind::TrackData),
                    ] {
                        if let Ok(clear) = crypto::decrypt_key(&TEST_TMK, &key, kind) {
                            secrets.bytes(&format!("clear {kind}"), &clear);
                        }
                    }
                }
            }
        }
        secrets
    }

    /// Every secret found in `haystack`.
    pub fn find(&self, haystack: &[u8]) -> Vec<Finding> {
        let compact: Vec<u8> = haystack.iter().copied().filter(|b| !b.is_ascii_whitespace()).collect();
        let mut found = Vec::new();
        for secret in &self.secrets {
            let at = secret
                .forms
                .iter()
                .find_map(|form| contains(haystack, form))
                .or_else(|| secret.compact_forms.iter().find_map(|form| contains(&compact, form)));
            if let Some(offset) = at {
                found.push(Finding {
                    what: secret.what.clone(),
                    offset,
                });
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn every_encoding_of_a_pan_is_found_and_a_masked_one_is_not() {
        let mut secrets = Secrets::new();
        secrets.digits("PAN", "6222020000000007");
        for leak in [
            &b"pan=6222020000000007;"[..],
            b"36323232303230303030303030303037",
            &[0x62, 0x22, 0x02, 0x00, 0x00, 0x00, 0x00, 0x07],
            b"\"2\": [54,50,50,50,48,50,48,48,48,48,48,48,48,48,48,55]",
            b"[\n  54,\n  50,\n  50,\n  50,\n  48,\n  50,\n  48,\n  48,\n  48,\n  48,\n  48,\n  48,\n  48,\n  48,\n  48,\n  55\n]",
            b"6222020000000007".to_ascii_lowercase().as_slice(),
        ] {
            assert_eq!(secrets.find(leak).len(), 1, "{}", String::from_utf8_lossy(leak));
        }
        assert!(secrets.find(b"card 622202******0007").is_empty());
    }

    #[test]
    fn the_pin_field_and_block_are_found() {
        let mut secrets = Secrets::new();
        secrets.pin("123456", "6222020000000007");
        assert_eq!(secrets.find(b"x06123456FFFFFFFFx").len(), 1);
        let block = crypto::clear_pin_block("123456", "6222020000000007").unwrap();
        assert_eq!(secrets.find(&block).len(), 1);
    }
}
