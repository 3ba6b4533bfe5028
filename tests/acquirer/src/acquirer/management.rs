//! Host-driven management (docs/profile.md §7): the bank asks a terminal, in the header of its
//! replies, for a parameter download, a status upload, a CA key update or an IC parameter update,
//! and answers the messages that carry them out. It holds a parameter list, CA public keys (RSA
//! test keys committed in data/ca_keys.txt, DF03 computed here) and the UnionPay AIDs.

use pos_kernel::codec::{tlv, Message};
use pos_kernel::engine::downloads::{
    AidParameters, CaPublicKey, Listed, ManagementTask, QueryPage, TerminalParameters,
};
use serde::{Deserialize, Serialize};

use super::Acquirer;
use crate::clock::LocalTime;
use crate::codes;
use crate::faults::Reply;
use crate::fields;

/// Entries per query page.
pub const PAGE: usize = 3;

/// What the bank downloads, and what it is asking each terminal for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Management {
    pub parameters: TerminalParameters,
    pub ca_keys: Vec<CaPublicKey>,
    pub aids: Vec<AidParameters>,
    /// Tasks asked of each terminal: the header of every reply to it carries the first one's
    /// digit until the terminal has carried it out.
    asked: Vec<(String, ManagementTask)>,
    /// Keys and AIDs downloaded in each terminal's current update (since its first query page):
    /// the same one again under another STAN is a violation.
    session: Vec<(String, Vec<u8>, Option<u8>)>,
    /// Serve this key index with a wrong DF03.
    corrupt_key: Option<u8>,
    /// Status uploads received: (terminal, its parameter list).
    pub status_uploads: Vec<(String, TerminalParameters)>,
}

impl Default for Management {
    fn default() -> Self {
        Management {
            parameters: TerminalParameters {
                response_timeout_s: Some(30),
                reversal_attempts: Some(3),
                merchant_name: Some("TEST MERCHANT".into()),
                max_amount: Some(5_000_000),
                refund_limit: Some(1_000_000),
                offline_upload_count: Some(10),
            },
            ca_keys: test_ca_keys(),
            aids: test_aids(),
            asked: Vec::new(),
            session: Vec::new(),
            corrupt_key: None,
            status_uploads: Vec::new(),
        }
    }
}

/// The committed test keys, with their DF03.
pub fn test_ca_keys() -> Vec<CaPublicKey> {
    include_str!("../../data/ca_keys.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|line| {
            let mut parts = line.split_whitespace();
            let rid = hex::decode(parts.next()?).ok()?;
            let index = u8::from_str_radix(parts.next()?, 16).ok()?;
            let expiry = parts.next()?.to_owned();
            let exponent = hex::decode(parts.next()?).ok()?;
            let modulus = hex::decode(parts.next()?).ok()?;
            Some(CaPublicKey {
                check_value: CaPublicKey::expected_check_value(&rid, index, &modulus, &exponent),
                rid,
                index,
                expiry,
                hash_algorithm: 1,
                key_algorithm: 1,
                modulus,
                exponent,
            })
        })
        .collect()
}

/// The UnionPay AIDs (debit, credit, quasi-credit, electronic cash) with test IC parameters.
pub fn test_aids() -> Vec<AidParameters> {
    [
        "A000000333010101",
        "A000000333010102",
        "A000000333010103",
        "A000000333010106",
    ]
    .iter()
    .filter_map(|aid| {
        let aid = hex::decode(aid).ok()?;
        let mut out = Vec::new();
        let mut put =
            |tag: &[u8], hex_value: &str| tlv::push(&mut out, tag, &hex::decode(hex_value).unwrap_or_default());
        put(&[0x9f, 0x06], &hex::encode(&aid));
        put(&[0xdf, 0x01], "00");
        put(&[0x9f, 0x09], "0020");
        put(&[0xdf, 0x11], "d84000a800");
        put(&[0xdf, 0x12], "d84004f800");
        put(&[0xdf, 0x13], "0010000000");
        put(&[0x9f, 0x1b], "00000000");
        put(&[0xdf, 0x15], "00000000");
        put(&[0xdf, 0x16], "99");
        put(&[0xdf, 0x17], "99");
        put(&[0xdf, 0x14], "039f3704");
        put(&[0xdf, 0x18], "01");
        put(&[0x9f, 0x7b], "000000100000");
        put(&[0xdf, 0x19], "000000000000");
        put(&[0xdf, 0x20], "000000100000");
        put(&[0xdf, 0x21], "000000100000");
        AidParameters::from_tlv(&out).ok()
    })
    .collect()
}

impl Acquirer {
    /// Asks `terminal_id`, in the header of its replies, for `task` until it is carried out.
    pub fn ask(&mut self, terminal_id: &str, task: ManagementTask) {
        let asked = (terminal_id.to_owned(), task);
        if !self.management.asked.contains(&asked) {
            self.management.asked.push(asked);
        }
    }

    /// The next parameter download sends these parameters.
    pub fn set_parameters(&mut self, parameters: TerminalParameters) {
        self.management.parameters = parameters;
    }

    /// The key with this index is served with a DF03 that does not verify.
    pub fn corrupt_ca_key(&mut self, index: u8) {
        self.management.corrupt_key = Some(index);
    }

    /// What the bank downloads and what it received.
    pub fn downloads(&self) -> &Management {
        &self.management
    }

    /// The R digit for a reply to `terminal_id`: its first task still asked for.
    pub(super) fn requirement_for(&self, terminal_id: &str) -> Option<u8> {
        let (_, task) = self.management.asked.iter().find(|(t, _)| t == terminal_id)?;
        Some(match task {
            ManagementTask::Parameters => 1,
            ManagementTask::StatusUpload => 2,
            ManagementTask::CaKeys => 4,
            ManagementTask::IcParameters => 5,
        })
    }

    fn done(&mut self, tid: &str, task: ManagementTask) {
        self.management.asked.retain(|(t, k)| !(t == tid && *k == task));
    }

    /// 0800 `360` `370` `371` `380` `381` and 0820 `362` `372` `382`: authenticated (F64), a
    /// retransmission gets its first answer; 0810 / 0830 `00` with F62 as §7 says.
    pub(super) fn management(&mut self, now: &LocalTime, message: &Message) -> Reply {
        let (Some(tid), Some(stan), Some(f60)) = (
            fields::terminal_id(message),
            fields::stan(message),
            fields::f60(message),
        ) else {
            return self.format_error(now, message);
        };
        let code = f60.code.clone().unwrap_or_default();
        let seen = match self.first_time(now, message, &tid, f60.batch, stan) {
            Ok(seen) => seen,
            Err(reply) => return *reply,
        };
        let f62 = message.get(62).unwrap_or_default().to_vec();
        let answer = match (message.mti.0, code.as_str()) {
            (800, "360") => {
                self.done(&tid, ManagementTask::Parameters);
                Ok(self.management.parameters.render())
            }
            (820, "362") => match TerminalParameters::parse(&f62) {
                Ok((list, _)) => {
                    self.management.status_uploads.push((tid.clone(), list));
                    self.done(&tid, ManagementTask::StatusUpload);
                    Ok(Vec::new())
                }
                Err(_) => Err(()),
            },
            (820, "372") => self.query_page(&tid, &f62, true),
            (820, "382") => self.query_page(&tid, &f62, false),
            (800, "370") => self.download(&tid, stan, &f62, true),
            (800, "380") => self.download(&tid, stan, &f62, false),
            (800, "371") => {
                self.done(&tid, ManagementTask::CaKeys);
                Ok(Vec::new())
            }
            (800, "381") => {
                self.done(&tid, ManagementTask::IcParameters);
                Ok(Vec::new())
            }
            _ => Err(()),
        };
        let Ok(f62) = answer else {
            return self.format_error(now, message);
        };
        let mut reply = self.base_reply(now, message, codes::APPROVED);
        if !f62.is_empty() {
            reply.set(62, f62);
        }
        self.answer_once(&tid, seen, reply)
    }

    /// A query page: F62 `1` + start index n2. The first page starts a new update.
    fn query_page(&mut self, tid: &str, f62: &[u8], keys: bool) -> Result<Vec<u8>, ()> {
        let text = core::str::from_utf8(f62).map_err(|_| ())?;
        let start: usize = text
            .strip_prefix('1')
            .and_then(|n| n.parse().ok())
            .filter(|_| text.len() == 3)
            .ok_or(())?;
        if start == 0 {
            self.management.session.retain(|(t, _, _)| t != tid);
        }
        let all: Vec<Listed> = if keys {
            let keys = &self.management.ca_keys;
            keys.iter()
                .map(|k| Listed {
                    id: k.rid.clone(),
                    index: Some(k.index),
                })
                .collect()
        } else {
            self.management
                .aids
                .iter()
                .map(|a| Listed {
                    id: a.aid.clone(),
                    index: None,
                })
                .collect()
        };
        let entries: Vec<Listed> = all.iter().skip(start).take(PAGE).cloned().collect();
        let page = QueryPage {
            more: start + entries.len() < all.len(),
            entries,
        };
        Ok(page.render(all.is_empty()))
    }

    /// One key (RID + index) or AID's parameters.
    fn download(&mut self, tid: &str, stan: u32, f62: &[u8], keys: bool) -> Result<Vec<u8>, ()> {
        let id = tlv::find(f62, &[0x9f, 0x06]).ok_or(())?.to_vec();
        let index = tlv::find(f62, &[0x9f, 0x22]).and_then(|i| i.first().copied());
        let asked = (tid.to_owned(), id.clone(), index);
        if self.management.session.contains(&asked) {
            let what: String = id.iter().map(|b| format!("{b:02X}")).collect();
            self.violation(format!(
                "{tid}: {what} {index:?} downloaded twice in one update (STAN {stan:06})"
            ));
        } else {
            self.management.session.push(asked);
        }
        if keys {
            let mut key = self
                .management
                .ca_keys
                .iter()
                .find(|k| k.rid == id && Some(k.index) == index)
                .cloned()
                .ok_or(())?;
            if self.management.corrupt_key == Some(key.index) {
                if let Some(byte) = key.check_value.first_mut() {
                    *byte ^= 0xff;
                }
            }
            Ok(key.to_tlv())
        } else {
            let aid = self.management.aids.iter().find(|a| a.aid == id).ok_or(())?;
            Ok(aid.tlv.clone())
        }
    }
}
