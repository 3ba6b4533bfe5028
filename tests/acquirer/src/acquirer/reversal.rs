//! Reversals (0400): undo an original request of the same terminal, idempotently.

use pos_kernel::codec::Message;

use super::financial::RequestKind;
use super::Acquirer;
use crate::clock::LocalTime;
use crate::codes;
use crate::faults::Reply;
use crate::fields;
use crate::ledger::ReverseOutcome;
use crate::terminal::{fingerprint, Outcome};

/// The MTIs a reversal may refer to.
const ORIGINAL_MTIS: [u16; 3] = [100, 200, 220];

impl Acquirer {
    /// 0400: the original is the newest request of this terminal with the reversal's STAN, its
    /// batch (60.2, when F60 is present), one of the MTIs 0100/0200/0220, the same F3 and the
    /// same 60.1. Never received (or never authenticated) → `25`; declined → `00` (nothing to
    /// undo); approved → undone, `00`; already reversed → `00`; a refund → `12` (refunds are
    /// not reversible). F39 of the request (the reason) is not checked.
    pub(super) fn reversal(&mut self, now: &LocalTime, message: &Message) -> Reply {
        let f60 = fields::f60(message);
        let (Some(tid), Some(stan), Some(processing_code)) =
            (fields::terminal_id(message), fields::stan(message), message.get_str(3))
        else {
            return self.format_error(now, message);
        };
        if let Some(f60) = &f60 {
            if RequestKind::classify(200, processing_code, &f60.kind)
                .or_else(|| RequestKind::classify(100, processing_code, &f60.kind))
                .or_else(|| RequestKind::classify(220, processing_code, &f60.kind))
                .is_none()
            {
                return self.format_error(now, message);
            }
        }
        if let Err(failure) = self.authenticate(&tid, message) {
            return self.auth_failure(now, message, &failure);
        }
        let batch = f60.as_ref().map(|f| f.batch);
        let key = (batch.unwrap_or(0), stan, message.mti.0);
        let print = fingerprint(message);
        if let Some(reply) = self.seen_before(now, message, &tid, key, &print) {
            return reply;
        }
        let terminal = self.terminals.entry(tid.clone()).or_default();
        let kind = f60.as_ref().map(|f| f.kind.as_bytes());
        let original = terminal
            .find_original(batch, stan, &ORIGINAL_MTIS, |seen| {
                let [_, f3, _, f60] = &seen.fingerprint;
                f3.as_deref() == Some(processing_code.as_bytes())
                    && kind.is_none_or(|k| f60.as_deref().and_then(|v| v.get(0..2)) == Some(k))
            })
            .map(|seen| seen.outcome);
        let code = match original {
            None => codes::ORIGINAL_NOT_FOUND,
            Some(Outcome::Declined | Outcome::Approved(None)) => codes::APPROVED,
            // Booked after the reversal came (a late approval): the bank finds nothing to reverse.
            Some(Outcome::Approved(Some(index))) if self.late_bookings.contains(&index) => codes::ORIGINAL_NOT_FOUND,
            Some(Outcome::Approved(Some(index))) => match self.ledger.reverse(index) {
                ReverseOutcome::Reversed | ReverseOutcome::AlreadyReversed => codes::APPROVED,
                ReverseOutcome::NotReversible => codes::INVALID_TRANSACTION,
            },
        };
        let rrn = self.next_rrn();
        let mut reply = self.base_reply(now, message, code);
        reply.set(15, now.mmdd()).set(37, rrn);
        let mut reply = Reply::new(reply);
        reply.mac = true;
        let outcome = if code == codes::APPROVED {
            Outcome::Approved(None)
        } else {
            Outcome::Declined
        };
        match self.terminals.get_mut(&tid) {
            Some(terminal) => terminal.remember(key, print, reply, outcome),
            None => reply,
        }
    }
}
