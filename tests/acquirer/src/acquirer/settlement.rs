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

/// One chip upload the bank received (0320 `203`–`206`): the transaction it is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChipUpload {
    /// 61.1 and 61.2: the transaction's batch and STAN.
    pub batch: u32,
    pub stan: u32,
    /// An IC failure upload (`204` / `206`), not a TC upload.
    pub failure: bool,
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
    pub(super) fn management_request(message: &Message, codes: &[&str]) -> Option<(String, u32, F60)> {
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
    /// other shape → `30`); `203`–`206` a chip upload (`chip_upload`); `202`/`207` closes the
    /// batch, unless a chip charge of the batch has no TC upload (`95`, reconcile error). All
    /// answer 0330 `00`; a retransmission (same batch, STAN) gets the same reply and is not
    /// recorded twice.
    pub(super) fn batch_upload(&mut self, now: &LocalTime, message: &Message) -> Reply {
        const CODES: [&str; 7] = ["201", "202", "207", "203", "204", "205", "206"];
        let Some((tid, stan, f60)) = Self::management_request(message, &CODES) else {
            return self.format_error(now, message);
        };
        if matches!(f60.code.as_deref(), Some("203" | "204" | "205" | "206")) {
            return self.chip_upload(now, message, &tid, stan, &f60);
        }
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
        if upload.is_none() {
            if let Some(missing) = self.chip_charge_not_uploaded(&tid, f60.batch) {
                self.violation(format!(
                    "{tid} batch {:06}: end of batch without the TC upload of {missing:06}",
                    f60.batch
                ));
                let reply = Reply::new(self.base_reply(now, message, codes::RECONCILE_ERROR));
                return self.remember(&tid, f60.batch, stan, message, reply);
            }
            self.check_end_count(&tid, f60.batch, message);
        }
        let record = self.batches.entry((tid.clone(), f60.batch)).or_default();
        match upload {
            Some(entries) => {
                for entry in &entries {
                    if record.uploads.iter().any(|u| u.stan == entry.stan) {
                        self.violations.push(format!(
                            "{tid} batch {:06}: transaction {:06} uploaded twice",
                            f60.batch, entry.stan
                        ));
                    }
                }
                let record = self.batches.entry((tid.clone(), f60.batch)).or_default();
                record.uploads.extend(entries);
            }
            None => record.closed = true,
        }
        let reply = Reply::new(self.base_reply(now, message, codes::APPROVED));
        self.remember(&tid, f60.batch, stan, message, reply)
    }

    /// 0320 `203`–`206`: a TC upload (`203` after balanced totals, `205` after unbalanced) or
    /// an IC failure upload (`204` / `206`) of the transaction 61.1 + 61.2; F55 must hold the
    /// cryptogram (9F26) and 9F27: `00` (AAC) for a failure; for a TC upload `40` (TC), or `80`
    /// (the ARQC) for a transaction without a second GENERATE AC (a tap, a chip completion);
    /// otherwise `30`. Recorded once: the same transaction uploaded again under another STAN is a
    /// violation (answered `94`).
    fn chip_upload(&mut self, now: &LocalTime, message: &Message, tid: &str, stan: u32, f60: &F60) -> Reply {
        let failure = matches!(f60.code.as_deref(), Some("204" | "206"));
        let (Some(f61), Some(icc)) = (fields::f61(message), message.get(55)) else {
            return self.format_error(now, message);
        };
        let cid = pos_kernel::codec::tlv::find(icc, &[0x9f, 0x27]);
        let cryptogram = pos_kernel::codec::tlv::find(icc, &[0x9f, 0x26]);
        let expected: &[&[u8]] = if failure { &[&[0x00]] } else { &[&[0x40], &[0x80]] };
        if !cid.is_some_and(|c| expected.contains(&c)) || cryptogram.is_none() || fields::pan(message).is_none() {
            return self.format_error(now, message);
        }
        if let Some(reply) = self.retransmission(tid, f60.batch, stan, message) {
            return reply;
        }
        let upload = ChipUpload {
            batch: f61.batch,
            stan: f61.stan,
            failure,
        };
        let record = self.batches.entry((tid.to_owned(), f60.batch)).or_default();
        if record.chip_uploads.contains(&upload) {
            let what = if failure { "IC failure" } else { "TC" };
            self.violation(format!(
                "{tid} batch {:06}: {what} upload of {:06} arrived twice (STAN {stan:06})",
                f60.batch, upload.stan
            ));
            let reply = Reply::new(self.base_reply(now, message, codes::DUPLICATE_TRANSMISSION));
            return self.remember(tid, f60.batch, stan, message, reply);
        }
        record.chip_uploads.push(upload);
        let reply = Reply::new(self.base_reply(now, message, codes::APPROVED));
        self.remember(tid, f60.batch, stan, message, reply)
    }

    /// A standing chip or contactless charge of the batch (one the terminal heard of) without
    /// its TC upload: its STAN.
    fn chip_charge_not_uploaded(&self, tid: &str, batch: u32) -> Option<u32> {
        let uploaded = self.batches.get(&(tid.to_owned(), batch)).map(|b| &b.chip_uploads);
        self.ledger
            .entries()
            .iter()
            .filter(|e| e.terminal_id == tid && e.batch == batch && e.chip && e.kind.is_charge())
            .filter(|e| !e.reversed && !e.late)
            .find(|e| !uploaded.is_some_and(|u| u.iter().any(|c| !c.failure && c.batch == batch && c.stan == e.stan)))
            .map(|e| e.stan)
    }

    /// The end message's F48 counts every transaction uploaded (magstripe entries, TC and IC
    /// failure uploads): a different count is a violation (the batch still closes).
    fn check_end_count(&mut self, tid: &str, batch: u32, message: &Message) {
        let record = self.batches.get(&(tid.to_owned(), batch));
        let uploaded = record.map_or(0, |b| b.uploads.len() + b.chip_uploads.len());
        let counted = message.get_str(48).and_then(fields::number);
        if counted != Some(u64::try_from(uploaded).unwrap_or(u64::MAX)) {
            self.violation(format!(
                "{tid} batch {batch:06}: the end counts {counted:?} uploads, the bank received {uploaded}"
            ));
        }
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
