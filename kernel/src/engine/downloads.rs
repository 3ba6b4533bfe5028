//! What the acquirer downloads into the terminal (docs/profile.md §7, "Host-driven management"):
//! the parameter list, the CA public keys and the IC parameters, and the query pages that list
//! them. Pure layouts and checks; terminal/manage.rs runs the exchange.

use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};

use super::TransactionKind;
use crate::codec::tlv;
use crate::config::Config;

/// What the reply header's R digit asks for, after the current transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum ManagementTask {
    /// `1`: download the parameter list (0800, 60.3 `360`).
    Parameters,
    /// `2`: upload the terminal's parameter list (0820 `362`).
    StatusUpload,
    /// `4`: update the CA public keys (0820 `372` pages, 0800 `370` per key, 0800 `371`).
    CaKeys,
    /// `5`: update the IC parameters (0820 `382` pages, 0800 `380` per AID, 0800 `381`).
    IcParameters,
}

impl ManagementTask {
    /// The task an R digit asks for (`3`, sign on again, is not a task; others are ignored).
    pub fn from_requirement(digit: u8) -> Option<ManagementTask> {
        match digit {
            1 => Some(ManagementTask::Parameters),
            2 => Some(ManagementTask::StatusUpload),
            4 => Some(ManagementTask::CaKeys),
            5 => Some(ManagementTask::IcParameters),
            _ => None,
        }
    }

    /// The kind its requests are journaled as.
    pub fn kind(self) -> TransactionKind {
        match self {
            ManagementTask::Parameters => TransactionKind::ParameterDownload,
            ManagementTask::StatusUpload => TransactionKind::StatusUpload,
            ManagementTask::CaKeys => TransactionKind::CaKeyDownload,
            ManagementTask::IcParameters => TransactionKind::IcParameterDownload,
        }
    }
}

/// The parameter list (360 reply F62, 362 request F62): what the acquirer sets. Each is absent
/// when the list did not carry it (the terminal's configuration stands).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct TerminalParameters {
    /// Tag `12`: reply timeout, seconds (1–99).
    pub response_timeout_s: Option<u8>,
    /// Tag `13`: reversal attempts (1–9).
    pub reversal_attempts: Option<u8>,
    /// Tag `15`: merchant name printed on receipts (40 bytes, trailing spaces dropped).
    pub merchant_name: Option<String>,
    /// Tag `16`: largest amount of one transaction, minor units.
    pub max_amount: Option<u64>,
    /// Tag `17`: largest refund, minor units.
    pub refund_limit: Option<u64>,
    /// Tag `24`: offline upload count (kept and shown; the kernel approves nothing offline).
    pub offline_upload_count: Option<u8>,
}

/// The tags of the list, with their value lengths.
const PARAMETER_TAGS: [(&str, usize); 6] = [("12", 2), ("13", 1), ("15", 40), ("16", 12), ("17", 12), ("24", 2)];

impl TerminalParameters {
    /// Reads a parameter list. An unknown tag ends the list (the entries before it are kept, and
    /// the second value says where it stopped); a value outside its range refuses the whole list.
    pub fn parse(bytes: &[u8]) -> Result<(TerminalParameters, Option<String>), String> {
        let mut p = TerminalParameters::default();
        let mut at = 0;
        while at < bytes.len() {
            let tag = bytes.get(at..at + 2).map(String::from_utf8_lossy).unwrap_or_default();
            let Some((_, len)) = PARAMETER_TAGS.iter().find(|(t, _)| *t == tag) else {
                return Ok((
                    p,
                    Some(format!("unknown tag `{tag}` at byte {at}: the list ends there")),
                ));
            };
            let value = bytes
                .get(at + 2..at + 2 + len)
                .ok_or_else(|| format!("tag {tag}: {len} bytes expected, the list ends first"))?;
            let digits = || -> Result<u64, String> {
                let text = core::str::from_utf8(value).map_err(|_| format!("tag {tag}: not digits"))?;
                if !text.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(format!("tag {tag}: `{text}` is not digits"));
                }
                text.parse::<u64>().map_err(|e| format!("tag {tag}: {e}"))
            };
            let small = |range: core::ops::RangeInclusive<u64>| -> Result<u8, String> {
                let n = digits()?;
                if !range.contains(&n) {
                    return Err(format!("tag {tag}: {n} is outside {}..={}", range.start(), range.end()));
                }
                u8::try_from(n).map_err(|e| format!("tag {tag}: {e}"))
            };
            match tag.as_ref() {
                "12" => p.response_timeout_s = Some(small(1..=99)?),
                "13" => p.reversal_attempts = Some(small(1..=9)?),
                "15" => {
                    let name = String::from_utf8_lossy(value).trim_end().to_owned();
                    if name.is_empty() {
                        return Err("tag 15: the merchant name is blank".into());
                    }
                    p.merchant_name = Some(name);
                }
                "16" => match digits()? {
                    0 => return Err("tag 16: a maximum amount of 0".into()),
                    n => p.max_amount = Some(n),
                },
                "17" => p.refund_limit = Some(digits()?),
                _ => p.offline_upload_count = Some(small(0..=99)?),
            }
            at += 2 + len;
        }
        Ok((p, None))
    }

    /// The terminal's parameters as its status upload sends them: every tag, from `config`.
    pub fn of(config: &Config, offline_upload_count: u8) -> TerminalParameters {
        TerminalParameters {
            response_timeout_s: Some(u8::try_from((config.response_timeout_ms / 1000).clamp(1, 99)).unwrap_or(99)),
            reversal_attempts: Some(u8::try_from(config.reversal_max_attempts.clamp(1, 9)).unwrap_or(9)),
            merchant_name: Some(config.merchant_name.clone()),
            max_amount: Some(config.max_amount),
            refund_limit: Some(config.refund_limit),
            offline_upload_count: Some(offline_upload_count.min(99)),
        }
    }

    /// The list's bytes, tags in ascending order.
    pub fn render(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(80);
        let mut put = |tag: &str, value: String| {
            out.extend_from_slice(tag.as_bytes());
            out.extend_from_slice(value.as_bytes());
        };
        if let Some(v) = self.response_timeout_s {
            put("12", format!("{v:02}"));
        }
        if let Some(v) = self.reversal_attempts {
            put("13", format!("{v:01}"));
        }
        if let Some(name) = &self.merchant_name {
            // 40 bytes: cut on a character boundary, padded with spaces.
            let mut cut = name.len().min(40);
            while !name.is_char_boundary(cut) {
                cut -= 1;
            }
            let mut value = name.get(..cut).unwrap_or_default().to_owned();
            while value.len() < 40 {
                value.push(' ');
            }
            put("15", value);
        }
        if let Some(v) = self.max_amount {
            put("16", format!("{:012}", v % 1_000_000_000_000));
        }
        if let Some(v) = self.refund_limit {
            put("17", format!("{:012}", v % 1_000_000_000_000));
        }
        if let Some(v) = self.offline_upload_count {
            put("24", format!("{v:02}"));
        }
        out
    }

    /// `config` with these parameters in force.
    pub fn apply(&self, config: &Config) -> Config {
        let mut c = config.clone();
        if let Some(s) = self.response_timeout_s {
            c.response_timeout_ms = u64::from(s) * 1000;
        }
        if let Some(n) = self.reversal_attempts {
            c.reversal_max_attempts = u32::from(n);
        }
        if let Some(name) = &self.merchant_name {
            c.merchant_name.clone_from(name);
        }
        if let Some(max) = self.max_amount {
            c.max_amount = max;
        }
        if let Some(limit) = self.refund_limit {
            c.refund_limit = limit;
        }
        c
    }
}

/// One CA public key (370 reply F62): the card reader checks the card's certificates with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct CaPublicKey {
    /// 9F06, the registered application provider id (5 bytes).
    #[serde(with = "super::hex_or_bytes")]
    #[cfg_attr(feature = "ts", tsify(type = "string"))]
    pub rid: Vec<u8>,
    /// 9F22, the key's index.
    pub index: u8,
    /// DF05, `YYYYMMDD`.
    pub expiry: String,
    /// DF06 (`01` SHA-1) and DF07 (`01` RSA).
    pub hash_algorithm: u8,
    pub key_algorithm: u8,
    /// DF02.
    #[serde(with = "super::hex_or_bytes")]
    #[cfg_attr(feature = "ts", tsify(type = "string"))]
    pub modulus: Vec<u8>,
    /// DF04.
    #[serde(with = "super::hex_or_bytes")]
    #[cfg_attr(feature = "ts", tsify(type = "string"))]
    pub exponent: Vec<u8>,
    /// DF03 = SHA-1(RID ‖ index ‖ modulus ‖ exponent).
    #[serde(with = "super::hex_or_bytes")]
    #[cfg_attr(feature = "ts", tsify(type = "string"))]
    pub check_value: Vec<u8>,
}

impl CaPublicKey {
    /// SHA-1(RID ‖ index ‖ modulus ‖ exponent): what DF03 must be.
    pub fn expected_check_value(rid: &[u8], index: u8, modulus: &[u8], exponent: &[u8]) -> Vec<u8> {
        let mut hash = Sha1::new();
        hash.update(rid);
        hash.update([index]);
        hash.update(modulus);
        hash.update(exponent);
        hash.finalize().to_vec()
    }

    /// Whether DF03 verifies.
    pub fn verifies(&self) -> bool {
        self.check_value == Self::expected_check_value(&self.rid, self.index, &self.modulus, &self.exponent)
    }

    /// A key from its TLV; every tag is required and checked for its length (not yet DF03).
    pub fn from_tlv(bytes: &[u8]) -> Result<CaPublicKey, String> {
        let tlvs = tlv::parse(bytes).map_err(|e| e.to_string())?;
        let get = |tag: &[u8], name: &str| {
            tlvs.iter()
                .find(|t| t.tag == tag)
                .map(|t| t.value)
                .ok_or_else(|| format!("no {name}"))
        };
        let one = |tag: &[u8], name: &str| -> Result<u8, String> {
            match get(tag, name)? {
                [b] => Ok(*b),
                other => Err(format!("{name} of {} bytes, 1 expected", other.len())),
            }
        };
        let rid = get(&[0x9f, 0x06], "RID (9F06)")?;
        if rid.len() != 5 {
            return Err(format!("RID (9F06) of {} bytes, 5 expected", rid.len()));
        }
        let expiry = bcd_date(get(&[0xdf, 0x05], "expiry (DF05)")?)?;
        let modulus = get(&[0xdf, 0x02], "modulus (DF02)")?;
        if modulus.is_empty() || modulus.len() > 248 {
            return Err(format!("modulus (DF02) of {} bytes, 1 to 248 expected", modulus.len()));
        }
        let exponent = get(&[0xdf, 0x04], "exponent (DF04)")?;
        if !(1..=3).contains(&exponent.len()) {
            return Err(format!("exponent (DF04) of {} bytes, 1 to 3 expected", exponent.len()));
        }
        let check_value = get(&[0xdf, 0x03], "check value (DF03)")?;
        if check_value.len() != 20 {
            return Err(format!(
                "check value (DF03) of {} bytes, 20 expected",
                check_value.len()
            ));
        }
        Ok(CaPublicKey {
            rid: rid.to_vec(),
            index: one(&[0x9f, 0x22], "index (9F22)")?,
            expiry,
            hash_algorithm: one(&[0xdf, 0x06], "hash algorithm (DF06)")?,
            key_algorithm: one(&[0xdf, 0x07], "key algorithm (DF07)")?,
            modulus: modulus.to_vec(),
            exponent: exponent.to_vec(),
            check_value: check_value.to_vec(),
        })
    }

    /// The key's TLV, as the acquirer sends it.
    pub fn to_tlv(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.modulus.len() + 64);
        tlv::push(&mut out, &[0x9f, 0x06], &self.rid);
        tlv::push(&mut out, &[0x9f, 0x22], &[self.index]);
        tlv::push(&mut out, &[0xdf, 0x05], &bcd_bytes(&self.expiry));
        tlv::push(&mut out, &[0xdf, 0x06], &[self.hash_algorithm]);
        tlv::push(&mut out, &[0xdf, 0x07], &[self.key_algorithm]);
        tlv::push(&mut out, &[0xdf, 0x02], &self.modulus);
        tlv::push(&mut out, &[0xdf, 0x04], &self.exponent);
        tlv::push(&mut out, &[0xdf, 0x03], &self.check_value);
        out
    }

    /// `RID/index` in hex, e.g. `A000000333/03`.
    pub fn name(&self) -> String {
        format!("{}/{:02X}", hex_upper(&self.rid), self.index)
    }
}

/// The IC parameters of one AID (380 reply F62), kept as the acquirer sent them (the card reader
/// reads the tags it knows).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct AidParameters {
    /// 9F06, the AID (5 to 16 bytes).
    #[serde(with = "super::hex_or_bytes")]
    #[cfg_attr(feature = "ts", tsify(type = "string"))]
    pub aid: Vec<u8>,
    /// Every tag of the download, 9F06 included.
    #[serde(with = "super::hex_or_bytes")]
    #[cfg_attr(feature = "ts", tsify(type = "string"))]
    pub tlv: Vec<u8>,
}

impl AidParameters {
    pub fn from_tlv(bytes: &[u8]) -> Result<AidParameters, String> {
        tlv::parse(bytes).map_err(|e| e.to_string())?;
        let aid = tlv::find(bytes, &[0x9f, 0x06]).ok_or("no AID (9F06)")?;
        if !(5..=16).contains(&aid.len()) {
            return Err(format!("AID (9F06) of {} bytes, 5 to 16 expected", aid.len()));
        }
        Ok(AidParameters {
            aid: aid.to_vec(),
            tlv: bytes.to_vec(),
        })
    }

    /// The AID in hex.
    pub fn name(&self) -> String {
        hex_upper(&self.aid)
    }
}

/// One entry of a query page: a RID and key index (CA keys), or an AID (IC parameters).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    pub id: Vec<u8>,
    pub index: Option<u8>,
}

/// A 372 / 382 query reply's F62: `1` more pages follow, `2` the last page, `3` none; then the
/// entries as TLV (9F06, and 9F22 after it for a CA key).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryPage {
    pub more: bool,
    pub entries: Vec<Listed>,
}

impl QueryPage {
    pub fn parse(bytes: &[u8], with_index: bool) -> Result<QueryPage, String> {
        let (flag, rest) = bytes.split_first().ok_or("an empty query reply")?;
        let more = match flag {
            b'1' => true,
            b'2' => false,
            b'3' => {
                return Ok(QueryPage {
                    more: false,
                    entries: Vec::new(),
                })
            }
            other => return Err(format!("query reply flag `{}`: 1, 2 or 3 expected", char::from(*other))),
        };
        let mut entries: Vec<Listed> = Vec::new();
        for t in tlv::parse(rest).map_err(|e| e.to_string())? {
            match (t.tag, entries.last_mut()) {
                ([0x9f, 0x06], _) => entries.push(Listed {
                    id: t.value.to_vec(),
                    index: None,
                }),
                ([0x9f, 0x22], Some(last)) if with_index && last.index.is_none() => {
                    last.index = t.value.first().copied().filter(|_| t.value.len() == 1);
                }
                (tag, _) => return Err(format!("unexpected tag {} in a query reply", hex_upper(tag))),
            }
        }
        if with_index && entries.iter().any(|e| e.index.is_none()) {
            return Err("a CA key entry without its index (9F22)".into());
        }
        Ok(QueryPage { more, entries })
    }

    /// The page's bytes, as the acquirer sends it (`none` when it has no entries at all).
    pub fn render(&self, none: bool) -> Vec<u8> {
        let mut out = vec![if none {
            b'3'
        } else if self.more {
            b'1'
        } else {
            b'2'
        }];
        for entry in &self.entries {
            tlv::push(&mut out, &[0x9f, 0x06], &entry.id);
            if let Some(index) = entry.index {
                tlv::push(&mut out, &[0x9f, 0x22], &[index]);
            }
        }
        out
    }
}

/// What the acquirer downloaded, each set with the local time it was installed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct DownloadedSets {
    pub parameters: Option<ParameterSet>,
    pub ca_keys: Option<CaKeySet>,
    pub ic_parameters: Option<IcParameterSet>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct ParameterSet {
    /// `YYYY-MM-DD hh:mm:ss`, local.
    pub installed_at: String,
    pub parameters: TerminalParameters,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct CaKeySet {
    pub installed_at: String,
    pub keys: Vec<CaPublicKey>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct IcParameterSet {
    pub installed_at: String,
    pub aids: Vec<AidParameters>,
}

fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// DF05 as 4 BCD bytes → `YYYYMMDD`.
fn bcd_date(bytes: &[u8]) -> Result<String, String> {
    let text: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    if text.len() != 8 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("expiry (DF05) `{text}`: 4 BCD bytes YYYYMMDD expected"));
    }
    Ok(text)
}

fn bcd_bytes(digits: &str) -> Vec<u8> {
    digits
        .as_bytes()
        .chunks(2)
        .map(|pair| {
            pair.iter()
                .fold(0u8, |acc, d| (acc << 4) | (d.wrapping_sub(b'0') & 0x0f))
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn a_parameter_list_reads_back_and_an_unknown_tag_ends_it() {
        let p = TerminalParameters {
            response_timeout_s: Some(45),
            reversal_attempts: Some(2),
            merchant_name: Some("测试商户 TEST".into()),
            max_amount: Some(3_000_000),
            refund_limit: None,
            offline_upload_count: Some(10),
        };
        let bytes = p.render();
        assert_eq!(TerminalParameters::parse(&bytes).unwrap(), (p.clone(), None));
        let mut longer = bytes.clone();
        longer.extend_from_slice(b"99xyz");
        let (read, stop) = TerminalParameters::parse(&longer).unwrap();
        assert_eq!(read, p);
        assert!(stop.unwrap().contains("unknown tag `99`"));
    }

    #[test]
    fn a_value_outside_its_range_refuses_the_list() {
        assert!(TerminalParameters::parse(b"1200")
            .unwrap_err()
            .contains("outside 1..=99"));
        assert!(TerminalParameters::parse(b"130").unwrap_err().contains("outside 1..=9"));
        assert!(TerminalParameters::parse(b"12x5").unwrap_err().contains("not digits"));
        assert!(TerminalParameters::parse(b"16000")
            .unwrap_err()
            .contains("12 bytes expected"));
    }

    #[test]
    fn a_ca_key_round_trips_and_its_check_value_is_verified() {
        let rid = vec![0xa0, 0, 0, 0x03, 0x33];
        let modulus = vec![0xc1; 128];
        let exponent = vec![0x03];
        let key = CaPublicKey {
            check_value: CaPublicKey::expected_check_value(&rid, 3, &modulus, &exponent),
            rid,
            index: 3,
            expiry: "20301231".into(),
            hash_algorithm: 1,
            key_algorithm: 1,
            modulus,
            exponent,
        };
        assert!(key.verifies());
        let read = CaPublicKey::from_tlv(&key.to_tlv()).unwrap();
        assert_eq!(read, key);
        assert_eq!(read.name(), "A000000333/03");
        let mut bad = key.clone();
        bad.check_value[0] ^= 1;
        assert!(!bad.verifies());
    }

    #[test]
    fn query_pages_list_keys_with_their_index() {
        let page = QueryPage {
            more: true,
            entries: vec![
                Listed {
                    id: vec![0xa0, 0, 0, 3, 0x33],
                    index: Some(1),
                },
                Listed {
                    id: vec![0xa0, 0, 0, 3, 0x33],
                    index: Some(2),
                },
            ],
        };
        assert_eq!(QueryPage::parse(&page.render(false), true).unwrap(), page);
        assert_eq!(QueryPage::parse(b"3", true).unwrap().entries, vec![]);
        assert!(QueryPage::parse(b"7", true).is_err());
    }
}
