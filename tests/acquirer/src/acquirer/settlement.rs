//! Settlement (0500 / 201) and batch upload (0320 / 201, end 202 or 207).

use pos_kernel::codec::Message;
use serde::{Deserialize, Serialize};

use super::Acquirer;
use crate::clock::LocalTime;
use crate::codes;
use crate::faults::Reply;
use crate::fields::{self, F60};
use crate::terminal::{fingerprint, Outcome};

/// One transaction a terminal uploaded (0320, 60.3 `201`, one 40-digit F48 entry).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadEntry {
    /// Card organisation `01` (foreign); `00` is domestic.
    pub foreign: bool,
    /// STAN of the transaction.
    pub stan: u32,
    /// PAN, without the left padding.
    pub pan: String,
    /// Minor units.
    pub amount: u64,
}

/// Digits of one half of settlement F48 without its result digit.
const HALF: usize = 30;
/// Digits of settlement F48: two halves of 30 digits plus a result digit each.
const SETTLEMENT_F48: usize = 2 * (HALF + 1);
/// Digits of one batch-upload F48 entry.
const UPLOAD_ENTRY: usize = 40;

/// A settlement result digit (digit 31 / 62 of the 0510's F48).
const BALANCED: char = '1';
const UNBALANCED: char = '2';
const ERROR: char = '3';

impl Acquirer {
    /// The terminal id, STAN and F60 of a settlement-family request, with the network
    /// management code required to be one of `codes`.
    fn management_request(message: &Message, codes: &[&str]) -> Option<(String, u32, F60)> {
        let f60 = fields::f60(message)?;
        if !codes.contains(&f60.code.as_deref()?) {
            return None;
        }
        Some((fields::terminal_id(message)?, fields::stan(message)?, f60))
    }

    /// A remembered reply to the same (batch, STAN, MTI), if this is a retransmission.
    fn retransmission(&self, tid: &str, batch: u32, stan: u32, message: &Message) -> Option<Reply> {
        self.terminals
            .get(tid)?
            .seen
            .get(&(batch, stan, message.mti.0))
            .filter(|seen| seen.fingerprint == fingerprint(message))
            .map(|seen| seen.reply.clone())
    }

    fn remember(&mut self, tid: &str, batch: u32, stan: u32, message: &Message, reply: Reply) -> Reply {
        let terminal = self.terminals.entry(tid.to_owned()).or_default();
        terminal.batch = batch;
        terminal.remember(
            (batch, stan, message.mti.0),
            fingerprint(message),
            reply,
            Outcome::Approved(None),
        )
    }

    /// 0500: compares the terminal's totals (F48) with the bank's for that terminal and batch
    /// (60.2) and answers 0510 `00` with F48 = the terminal's digits, digit 31 (domestic) and 62
    /// (foreign) set to `1` balanced, `2` unbalanced, or `3` for both halves when the batch was
    /// already closed by a batch-upload end. F48 that is not 62 digits → `30`.
    pub(super) fn settlement(&mut self, now: &LocalTime, message: &Message) -> Reply {
        let Some((tid, stan, f60)) = Self::management_request(message, &["201"]) else {
            return self.format_error(now, message);
        };
        let Some(totals) = message
            .get_str(48)
            .filter(|t| t.len() == SETTLEMENT_F48)
            .and_then(|t| t.get(0..HALF).zip(t.get(HALF + 1..SETTLEMENT_F48 - 1)))
        else {
            return self.format_error(now, message);
        };
        if let Some(reply) = self.retransmission(&tid, f60.batch, stan, message) {
            return reply;
        }
        let closed = self.batch_closed(&tid, f60.batch);
        let result = |foreign: bool, theirs: &str| {
            if closed {
                ERROR
            } else if self.bank_totals(&tid, f60.batch, foreign) == theirs {
                BALANCED
            } else {
                UNBALANCED
            }
        };
        let (domestic, foreign) = totals;
        let f48 = format!(
            "{domestic}{}{foreign}{}",
            result(false, domestic),
            result(true, foreign)
        );
        let mut reply = self.base_reply(now, message, codes::APPROVED);
        reply.set(15, now.mmdd()).set(48, f48);
        self.remember(&tid, f60.batch, stan, message, Reply::new(reply))
    }

    /// The bank's 30 digits for one half of F48: debit amount n12 + count n3 (sales and
    /// completions, voided ones included), credit amount n12 + count n3 (voids, refunds and
    /// completion voids); reversed entries left out.
    fn bank_totals(&self, tid: &str, batch: u32, foreign: bool) -> String {
        let mut debit = (0u64, 0u64);
        let mut credit = (0u64, 0u64);
        for entry in self
            .ledger
            .entries()
            .iter()
            .filter(|e| e.terminal_id == tid && e.batch == batch && e.foreign == foreign && !e.reversed)
        {
            let total = if entry.kind.is_charge() {
                &mut debit
            } else if entry.kind.is_credit() {
                &mut credit
            } else {
                continue;
            };
            total.0 = total.0.saturating_add(entry.amount);
            total.1 = total.1.saturating_add(1);
        }
        format!(
            "{:012}{:03}{:012}{:03}",
            debit.0 % 1_000_000_000_000,
            debit.1 % 1000,
            credit.0 % 1_000_000_000_000,
            credit.1 % 1000
        )
    }

    /// 0320: `201` records the uploaded entries (F48 = count n2 1..=8 + 40-digit entries; any
    /// other shape → `30`); `202`/`207` closes the batch. Both answer 0330 `00`; a
    /// retransmission (same batch, STAN) gets the same reply and is not recorded twice.
    pub(super) fn batch_upload(&mut self, now: &LocalTime, message: &Message) -> Reply {
        let Some((tid, stan, f60)) = Self::management_request(message, &["201", "202", "207"]) else {
            return self.format_error(now, message);
        };
        let upload = if f60.code.as_deref() == Some("201") {
            match message.get_str(48).and_then(parse_upload) {
                Some(entries) => Some(entries),
                None => return self.format_error(now, message),
            }
        } else {
            None
        };
        if let Some(reply) = self.retransmission(&tid, f60.batch, stan, message) {
            return reply;
        }
        let record = self.batches.entry((tid.clone(), f60.batch)).or_default();
        match upload {
            Some(entries) => record.uploads.extend(entries),
            None => record.closed = true,
        }
        let reply = Reply::new(self.base_reply(now, message, codes::APPROVED));
        self.remember(&tid, f60.batch, stan, message, reply)
    }
}

/// Batch-upload F48: count n2 (1..=8) + that many entries of organisation n2 + STAN n6 + PAN
/// n20 (left-padded with 0) + amount n12.
fn parse_upload(f48: &str) -> Option<Vec<UploadEntry>> {
    let count = usize::try_from(fields::number(f48.get(0..2)?)?).ok()?;
    let body = f48.get(2..)?;
    if !(1..=8).contains(&count) || body.len() != count * UPLOAD_ENTRY {
        return None;
    }
    (0..count)
        .map(|i| {
            let entry = body.get(i * UPLOAD_ENTRY..(i + 1) * UPLOAD_ENTRY)?;
            let foreign = match entry.get(0..2)? {
                "00" => false,
                "01" => true,
                _ => return None,
            };
            let stan = u32::try_from(fields::number(entry.get(2..8)?)?).ok()?;
            let pan = entry.get(8..28)?.trim_start_matches('0').to_owned();
            let amount = fields::number(entry.get(28..40)?)?;
            Some(UploadEntry {
                foreign,
                stan,
                pan,
                amount,
            })
        })
        .collect()
}
