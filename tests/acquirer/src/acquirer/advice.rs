//! Script result advices (0620, 60.3 `951`, docs/profile.md §7) and the issuer scripts that
//! cause them.

use pos_kernel::codec::{tlv, Message};

use super::Acquirer;
use crate::clock::LocalTime;
use crate::codes;
use crate::faults::Reply;
use crate::fields;

/// The issuer script the bank sends (tag 72, run after the second GENERATE AC): script id
/// 9F18 `00000001` and one command (86), a PUT DATA that a test card ignores.
pub(super) fn issuer_script() -> Vec<u8> {
    let mut script = Vec::new();
    tlv::push(&mut script, &[0x9f, 0x18], &[0, 0, 0, 1]);
    tlv::push(&mut script, &[0x86], &[0x04, 0xda, 0x9f, 0x58, 0x01, 0x00]);
    let mut f55 = Vec::new();
    tlv::push(&mut f55, &[0x72], &script);
    f55
}

impl Acquirer {
    /// 0620: the card's script results for the transaction 61.1 + 61.2. Authenticated like a
    /// financial request; F55 must hold DF31 (`30` otherwise). Recorded once; the same original
    /// advised again under another STAN is a violation (still answered `00`: an advice is
    /// never refused for arriving twice). A retransmission gets the first answer.
    pub(super) fn script_advice(&mut self, now: &LocalTime, message: &Message) -> Reply {
        let Some((tid, stan, f60)) = Self::management_request(message, &["951"]) else {
            return self.format_error(now, message);
        };
        let results = message.get(55).and_then(|icc| tlv::find(icc, &[0xdf, 0x31]));
        let (Some(f61), Some(_)) = (fields::f61(message), results) else {
            return self.format_error(now, message);
        };
        let seen = match self.first_time(now, message, &tid, f60.batch, stan) {
            Ok(seen) => seen,
            Err(reply) => return *reply,
        };
        let original = (tid.clone(), f61.batch, f61.stan);
        if self.script_results.contains(&original) {
            self.violation(format!(
                "{tid}: script result advice for {:06} arrived twice (STAN {stan:06})",
                f61.stan
            ));
        } else {
            self.script_results.push(original);
        }
        let reply = self.base_reply(now, message, codes::APPROVED);
        self.answer_once(&tid, seen, reply)
    }
}
