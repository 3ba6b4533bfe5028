//! Advices (docs/profile.md §7, rule 16): the acquirer is told of something already done. A
//! script result advice follows a chip approval that carried issuer scripts; a completion advice
//! completes a pre-authorization offline. Each is journaled with its own STAN, sent after any
//! pending reversal and before the next online request or settlement, and resent with the same
//! STAN until answered (reversal.rs sends it like a refund).

use super::{OnPersistFail, Terminal};
use crate::codec::{tlv, Message};
use crate::engine::batch::BatchEntry;
use crate::engine::journal::{next_stan, PendingResend, Record};
use crate::engine::messages::{self, CardRequest};
use crate::engine::outcome::{FailReason, OutcomeResult};
use crate::engine::output::{Event, Output};
use crate::engine::{Command, EntryMode, TransactionKind};
use crate::time::Timestamp;

/// Issuer script templates in an approval's F55 (EMV tags 71 and 72).
const SCRIPT_TAGS: [&[u8]; 2] = [&[0x71], &[0x72]];

impl Terminal {
    /// Sends the oldest pending advice.
    pub(super) fn send_advice(&mut self, now: Timestamp) {
        if let Some(advice) = self.state.pending_advices.first().cloned() {
            self.send_resend(now, &advice);
        }
    }

    /// Any valid answer ends an advice's resending; a refusal is shown (the acquirer has been
    /// told, and refused: the merchant takes it up with the acquirer).
    pub(super) fn on_advice_answered(&mut self, stan: u32, kind: TransactionKind, reply: &Message) {
        let response_code = reply.get_str(39).unwrap_or_default().to_owned();
        self.push(Output::Event(Event::AdviceAnswered {
            transaction: kind,
            stan,
            response_code: response_code.clone(),
        }));
        let rrn = reply.get_str(37).filter(|_| response_code == "00").map(str::to_owned);
        let record = Record::AdviceAnswered {
            stan,
            response_code,
            rrn,
        };
        self.persist(record, Vec::new(), None, OnPersistFail::Halt);
    }

    /// The script result advice of a chip approval whose reply carried issuer scripts, with
    /// the next STAN; None when it carried none.
    pub(super) fn script_advice(
        &mut self,
        entry: &BatchEntry,
        reply: &Message,
    ) -> Result<Option<Box<PendingResend>>, FailReason> {
        let issuer_data = reply.get(55).unwrap_or_default();
        let has_script = tlv::parse(issuer_data)
            .map(|tlvs| tlvs.iter().any(|t| SCRIPT_TAGS.contains(&t.tag)))
            .unwrap_or(false);
        let Some(evidence) = entry.chip.as_ref().filter(|_| has_script) else {
            return Ok(None);
        };
        let stan = next_stan(self.state.last_stan);
        let message = messages::script_advice(&self.config, stan, self.state.batch, entry, evidence);
        Ok(Some(Box::new(PendingResend {
            stan,
            transaction: TransactionKind::ScriptAdvice,
            amount: entry.amount,
            card: entry.card.clone(),
            entry: entry.entry,
            message,
        })))
    }

    /// A completion advice: approved at once, in the batch with the pre-authorization's card
    /// (keyed), and its advice journaled in the same record; it goes out once that is durable.
    pub(super) fn complete_offline(&mut self, now: Timestamp, command: Command) {
        let kind = TransactionKind::CompletionAdvice;
        let spec = match self.referencing_spec(command) {
            Ok(spec) => spec,
            Err(reason) => {
                self.fail(kind, None, reason);
                return self.drive(now);
            }
        };
        let Some(shape) = kind.card_shape() else { return };
        let stan = next_stan(self.state.last_stan);
        let request = messages::card_request(
            &self.config,
            stan,
            self.state.batch,
            &CardRequest {
                shape,
                amount: spec.amount,
                card: &spec.card,
                pin_block: None,
                extra: &spec.extra,
            },
        );
        let Some(preauth) = self
            .state
            .preauths
            .iter()
            .rev()
            .find(|e| Some(e.stan) == spec.original_stan)
            .cloned()
        else {
            return self.fail(
                kind,
                None,
                FailReason::Internal {
                    detail: "the pre-authorization checked a moment ago is gone".into(),
                },
            );
        };
        let local = now.local(self.config.utc_offset_minutes);
        let amount = spec.amount.unwrap_or_default();
        let auth_code = request.get_str(38).unwrap_or_default().to_owned();
        let entry = BatchEntry {
            stan,
            batch: self.state.batch,
            transaction: kind,
            entry: EntryMode::Manual,
            card: preauth.card.clone(),
            amount,
            rrn: String::new(),
            auth_code,
            date_time: local.display(),
            date: local.mmdd(),
            original_stan: Some(preauth.stan),
            closed_by: None,
            chip: None,
        };
        let advice = Box::new(PendingResend {
            stan,
            transaction: kind,
            amount,
            card: preauth.card,
            entry: EntryMode::Manual,
            message: messages::resend_body(&request),
        });
        let mut done = self.outcome(kind, Some(stan), OutcomeResult::Approved);
        done.receipt = Some(self.receipt(&entry));
        self.advices_due = true;
        let on_fail = OnPersistFail::Abort {
            transaction: kind,
            stan: None,
        };
        self.persist(
            Record::OfflineApproved { entry, advice },
            vec![Output::Outcome(done)],
            None,
            on_fail,
        );
    }
}
