//! Settlement (docs/architecture.md, rule 10; docs/profile.md §7): 0500 with the totals; when
//! unbalanced, every entry without a TC upload uploaded, 8 per 0320 (`201`); then a TC upload per
//! chip or contactless approval and an IC failure upload per approval the card declined; then
//! the end, `207` (balanced) or `202`, counting every transaction uploaded. Each step is
//! journaled with its STAN before it is sent, so a restart resends exactly the step in flight
//! (the acquirer de-duplicates by batch and STAN: no upload twice, none skipped). At the end the
//! batch advances and the journal is compacted to a snapshot.

use super::{OnPersistFail, Outgoing, Purpose, Terminal};
use crate::codec::Message;
use crate::engine::batch::BatchEntry;
use crate::engine::journal::{next_stan, Record};
use crate::engine::messages;
use crate::engine::outcome::{FailReason, OutcomeResult};
use crate::engine::output::{Event, Output};
use crate::engine::settlement::{self, Phase, SettlementProgress, SettlementReport, Uploads, Verdict};
use crate::engine::{ArchivedBatch, TransactionKind};
use crate::security::SecurityModule;
use crate::time::Timestamp;

const SETTLEMENT: TransactionKind = TransactionKind::Settlement;

fn describe(progress: &SettlementProgress) -> String {
    let after = if progress.balanced() { "balanced" } else { "unbalanced" };
    match progress.phase {
        Phase::Totals => "totals".into(),
        Phase::Upload { chunk } => format!("batch upload {}", chunk + 1),
        Phase::TcUpload { index } => format!("TC upload {} (after {after} totals)", index + 1),
        Phase::IcFailureUpload { index } => format!("IC failure upload {} (after {after} totals)", index + 1),
        Phase::End if progress.balanced() => "batch upload end (207, balanced)".into(),
        Phase::End => "batch upload end (202, unbalanced)".into(),
    }
}

impl Terminal {
    /// Starts a settlement, or resumes the one in progress.
    pub(super) fn start_settlement(&mut self, now: Timestamp) {
        if self.state.settlement.is_some() {
            self.settlement_paused = false;
            return self.resend_settlement(now, true);
        }
        let (domestic, foreign) = settlement::totals(&self.state.entries, &self.config.domestic_prefixes);
        let progress = SettlementProgress {
            batch: self.state.batch,
            domestic,
            foreign,
            verdicts: None,
            phase: Phase::Totals,
            in_flight_stan: None,
        };
        self.settlement_step(now, progress, true);
    }

    /// Journals `progress` with a new STAN for its request, then sends the request.
    fn settlement_step(&mut self, now: Timestamp, mut progress: SettlementProgress, first: bool) {
        let stan = next_stan(self.state.last_stan);
        progress.in_flight_stan = Some(stan);
        let request = match self.settlement_request(&progress, stan) {
            Ok(request) => request,
            Err(reason) => return self.fail(SETTLEMENT, None, reason),
        };
        let event = Event::SettlementStep {
            phase: describe(&progress),
        };
        let on_fail = if first {
            OnPersistFail::Abort {
                transaction: SETTLEMENT,
                stan: None,
            }
        } else {
            OnPersistFail::Halt
        };
        let record = Record::Settlement(progress);
        let purpose = Purpose::Settlement { for_operator: true };
        let outgoing = Outgoing {
            request,
            purpose,
            mac: false,
        };
        if let Err(reason) = self.journal_then_send(now, record, outgoing, event, on_fail) {
            self.fail(SETTLEMENT, None, reason);
        }
    }

    /// The request of a settlement step. An upload reveals its entries' sealed PANs; a security
    /// module that cannot is a failure before anything is sent.
    fn settlement_request(&mut self, progress: &SettlementProgress, stan: u32) -> Result<Message, FailReason> {
        let (config, batch) = (&self.config, progress.batch);
        let (entries, ic_failures) = (&self.state.entries, &self.state.ic_failures);
        let balanced = progress.balanced();
        let chip_upload = |entry: Option<&BatchEntry>, codes: (&str, &str), security: &mut dyn SecurityModule| {
            let Some((entry, evidence)) = entry.and_then(|e| Some((e, e.chip.as_ref()?))) else {
                return Err(FailReason::Internal {
                    detail: format!("{} has no such entry", describe(progress)),
                });
            };
            let code = if balanced { codes.0 } else { codes.1 };
            let pan = entry
                .card
                .reveal(security)
                .map_err(|e| super::security_failure(&e))?
                .pan;
            let mut message = messages::chip_upload(config, stan, batch, code, entry, evidence);
            message.set(2, pan.as_bytes());
            Ok(message)
        };
        Ok(match progress.phase {
            Phase::Totals => {
                let f48 = settlement::settlement_f48(&progress.domestic, &progress.foreign);
                messages::settlement(config, stan, batch, f48)
            }
            Phase::Upload { chunk } => {
                let security = self.security.as_mut();
                let f48 = settlement::upload_f48(entries, chunk, &config.domestic_prefixes, |entry| {
                    entry.card.reveal(security).map(|card| card.pan)
                })
                .map_err(|e| super::security_failure(&e))?;
                messages::batch_upload(config, stan, batch, "201", f48)
            }
            Phase::TcUpload { index } => {
                let entry = settlement::tc_uploads(entries).nth(index);
                chip_upload(entry, ("203", "205"), self.security.as_mut())?
            }
            Phase::IcFailureUpload { index } => {
                let entry = settlement::ic_failure_uploads(ic_failures).nth(index);
                chip_upload(entry, ("204", "206"), self.security.as_mut())?
            }
            Phase::End => {
                let code = if balanced { "207" } else { "202" };
                let count = self.uploaded(balanced).total();
                messages::batch_upload(config, stan, batch, code, format!("{:04}", count % 10_000))
            }
        })
    }

    /// What this batch's settlement uploads (the magstripe upload only when unbalanced).
    fn uploaded(&self, balanced: bool) -> Uploaded {
        let (entries, ic_failures) = (&self.state.entries, &self.state.ic_failures);
        Uploaded {
            magstripe: if balanced {
                0
            } else {
                settlement::magstripe_uploads(entries).count()
            },
            tc: settlement::tc_uploads(entries).map(|e| e.stan).collect(),
            ic_failures: settlement::ic_failure_uploads(ic_failures).map(|e| e.stan).collect(),
        }
    }

    /// Sends the step in progress again: with its own STAN when it was sent before.
    /// `for_operator`: an operator's `Settle` waits for the outcome (otherwise the terminal
    /// resumes the settlement by itself, after a restart).
    pub(super) fn resend_settlement(&mut self, now: Timestamp, for_operator: bool) {
        let Some(progress) = self.state.settlement.clone() else {
            return;
        };
        let Some(stan) = progress.in_flight_stan else {
            return self.settlement_step(now, progress, false);
        };
        let request = match self.settlement_request(&progress, stan) {
            Ok(request) => request,
            Err(reason) => return self.fail(SETTLEMENT, Some(stan), reason),
        };
        self.push(Output::Event(Event::SettlementStep {
            phase: describe(&progress),
        }));
        if let Err(reason) = self.transmit(now, request, Purpose::Settlement { for_operator }, false) {
            self.fail(SETTLEMENT, Some(stan), reason);
        }
    }

    pub(super) fn on_settlement_reply(&mut self, now: Timestamp, reply: &Message) {
        let Some(progress) = self.state.settlement.clone() else {
            return;
        };
        let code = reply.get_str(39).unwrap_or_default();
        if code != "00" {
            return self.settlement_refused(progress, code);
        }
        let verdicts = reply.get_str(48).and_then(settlement::verdicts);
        if progress.phase == Phase::Totals && verdicts.is_none() {
            let detail = match reply.get_str(48) {
                Some(f48) => format!("the result digits of F48 (31st and 62nd) are not 1, 2 or 3 in `{f48}`"),
                None => "the reply has no F48".to_owned(),
            };
            return self.settlement_unreadable(progress, detail);
        }
        // The totals' verdicts are kept for every later step (they choose 203 / 205, 207 / 202).
        let verdicts = if progress.phase == Phase::Totals {
            verdicts
        } else {
            progress.verdicts
        };
        if progress.phase == Phase::End {
            return self.finish_settlement(now, progress);
        }
        let next = SettlementProgress {
            verdicts,
            phase: progress.phase.next(
                verdicts == Some((Verdict::Balanced, Verdict::Balanced)),
                Uploads::of(&self.state.entries, &self.state.ic_failures),
            ),
            ..progress
        };
        self.settlement_step(now, next, false);
    }

    /// The acquirer refused a step: the settlement stays open; the next `Settle` sends the step
    /// again with a new STAN.
    fn settlement_refused(&mut self, progress: SettlementProgress, code: &str) {
        let response_code = if code.is_empty() {
            "30".to_owned()
        } else {
            code.to_owned()
        };
        self.settlement_stopped(progress, OutcomeResult::Declined { response_code });
    }

    /// The acquirer answered a step with something the terminal cannot read: as a refusal, the
    /// settlement stays open and the next `Settle` sends the step again with a new STAN.
    fn settlement_unreadable(&mut self, progress: SettlementProgress, detail: String) {
        let reason = FailReason::UnreadableReply { detail };
        self.settlement_stopped(progress, OutcomeResult::Failed { reason });
    }

    fn settlement_stopped(&mut self, progress: SettlementProgress, result: OutcomeResult) {
        self.settlement_paused = true;
        let stopped = self.outcome(SETTLEMENT, progress.in_flight_stan, result);
        let record = Record::Settlement(SettlementProgress {
            in_flight_stan: None,
            ..progress
        });
        self.persist(record, vec![Output::Outcome(stopped)], None, OnPersistFail::Halt);
    }

    fn finish_settlement(&mut self, now: Timestamp, progress: SettlementProgress) {
        let balanced = progress.balanced();
        let (domestic, foreign) = progress.verdicts.unwrap_or((Verdict::Error, Verdict::Error));
        let uploaded = self.uploaded(balanced);
        let entries = &self.state.entries;
        let report = SettlementReport {
            batch: progress.batch,
            domestic: progress.domestic,
            foreign: progress.foreign,
            by_type: settlement::by_type(entries),
            domestic_result: domestic,
            foreign_result: foreign,
            uploaded: uploaded.magstripe,
            tc_uploaded: uploaded.tc,
            ic_failures_uploaded: uploaded.ic_failures,
            open_exceptions: self
                .state
                .exceptions
                .iter()
                .filter(|e| !e.acknowledged)
                .cloned()
                .collect(),
        };
        let mut settled = self.state.clone();
        if let Err(e) = settled.apply(Record::Settled(report.clone())) {
            return self.halt(e.to_string());
        }
        let result = if balanced {
            OutcomeResult::Approved
        } else {
            OutcomeResult::SettledUnbalanced
        };
        // The batch leaves the journal with the compaction: the archive gets it first (rule 17).
        let archived = ArchivedBatch {
            terminal_id: self.config.terminal_id.clone(),
            batch: progress.batch,
            settled_at: now.local(self.config.utc_offset_minutes).display(),
            report: report.clone(),
            entries: self.state.entries.clone(),
            history: self.state.history.clone(),
        };
        match archived.encode() {
            Ok(bytes) => self.push(Output::Archive(bytes)),
            Err(e) => return self.halt(e.to_string()),
        }
        let mut done = self.outcome(SETTLEMENT, progress.in_flight_stan, result);
        done.settlement = Some(report);
        self.compact(settled, vec![Output::Outcome(done)], OnPersistFail::Halt);
    }

    /// No answer to a settlement step (or it never left): it stays in the journal and resumes
    /// on the next `Settle` (or after a restart) with the same STAN.
    pub(super) fn settlement_unanswered(&mut self, now: Timestamp, reason: FailReason) {
        self.settlement_paused = true;
        let stan = self.state.settlement.as_ref().and_then(|p| p.in_flight_stan);
        self.fail(SETTLEMENT, stan, reason);
        self.drive(now);
    }
}

/// What a settlement uploaded: the magstripe entries' count, the STANs of the TC and IC failure
/// uploads.
struct Uploaded {
    magstripe: usize,
    tc: Vec<u32>,
    ic_failures: Vec<u32>,
}

impl Uploaded {
    /// What the end message's F48 counts.
    fn total(&self) -> usize {
        self.magstripe + self.tc.len() + self.ic_failures.len()
    }
}
