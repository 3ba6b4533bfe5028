//! Network management: sign-on (0800 / 004), echo test (0820 / 301), sign-off (0820 / 002).

use pos_kernel::codec::Message;
use pos_kernel::security::crypto::encrypt_key;
use pos_kernel::security::WorkingKeys;

use super::Acquirer;
use crate::clock::LocalTime;
use crate::codes;
use crate::faults::Reply;
use crate::fields;
use crate::keys;

impl Acquirer {
    /// 0800 / 004: issue new working keys, remember the terminal's batch, reply 0810 `00` with
    /// F62 (keys under the TMK with check values).
    pub(super) fn sign_on(&mut self, now: &LocalTime, request: &Message) -> Reply {
        let (Some(tid), Some(f60)) = (fields::terminal_id(request), fields::f60(request)) else {
            return self.format_error(now, request);
        };
        if f60.code.as_deref() != Some("004") {
            return self.format_error(now, request);
        }
        self.sign_on_counter = self.sign_on_counter.saturating_add(1);
        let clear = keys::working_keys(self.sign_on_counter);
        let tmk = self.config.tmk;
        let mut working = WorkingKeys {
            pik: encrypt_key(&tmk, &clear.pik),
            mak: encrypt_key(&tmk, &clear.mak),
            tdk: encrypt_key(&tmk, &clear.tdk),
        };
        if std::mem::take(&mut self.corrupt_check_value) {
            for byte in &mut working.mak.check_value {
                *byte ^= 0xFF;
            }
        }
        let terminal = self.terminals.entry(tid).or_default();
        terminal.keys = Some(clear);
        terminal.batch = f60.batch;
        let mut reply = self.base_reply(now, request, codes::APPROVED);
        reply.set(62, working.to_f62());
        Reply::new(reply)
    }

    /// 0820: echo test (301) and sign-off (002, which discards the terminal's keys) → 0830 `00`.
    pub(super) fn network_management(&mut self, now: &LocalTime, request: &Message) -> Reply {
        let (Some(tid), Some(f60)) = (fields::terminal_id(request), fields::f60(request)) else {
            return self.format_error(now, request);
        };
        match f60.code.as_deref() {
            Some("301") => {}
            Some("002") => {
                if let Some(terminal) = self.terminals.get_mut(&tid) {
                    terminal.keys = None;
                }
            }
            _ => return self.format_error(now, request),
        }
        Reply::new(self.base_reply(now, request, codes::APPROVED))
    }
}
