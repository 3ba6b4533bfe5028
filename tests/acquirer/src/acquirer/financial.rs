//! Financial requests (0200, 0100, 0220): balance inquiry, sale, void, refund, and the
//! pre-authorization family.

use pos_kernel::codec::Message;
use pos_kernel::time::CivilDate;

use super::Acquirer;
use crate::cards::TestCard;
use crate::clock::LocalTime;
use crate::codes;
use crate::faults::Reply;
use crate::fields::{self, F61};
use crate::ledger::{LedgerEntry, LedgerKind};
use crate::rules::{check_pin, forced_code, usable_card};
use crate::terminal::{fingerprint, ClearKeys, Outcome};

/// What a financial request asks, from MTI + F3 + 60.1 (docs/profile.md §3): a balance, or a
/// transaction that makes a ledger entry of its kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum RequestKind {
    Balance,
    Posting(LedgerKind),
}

impl RequestKind {
    pub(super) fn classify(mti: u16, processing_code: &str, kind: &str) -> Option<RequestKind> {
        use LedgerKind::*;
        Some(RequestKind::Posting(match (mti, processing_code, kind) {
            (200, "310000", "01") => return Some(RequestKind::Balance),
            (200, "000000", "22") => Sale,
            (200, "200000", "23") => Void,
            (220, "200000", "25") => Refund,
            (100, "030000", "10") => PreAuth,
            (100, "200000", "11") => PreAuthCancel,
            (200, "000000", "20") => Completion,
            (200, "200000", "21") => CompletionVoid,
            (220, "000000", "24") => CompletionAdvice,
            _ => return None,
        }))
    }

    /// A PIN is required (for cards that have one) only where the cardholder authorizes a new
    /// debit: balance inquiry, sale, pre-authorization.
    fn pin_required(self) -> bool {
        matches!(
            self,
            RequestKind::Balance | RequestKind::Posting(LedgerKind::Sale | LedgerKind::PreAuth)
        )
    }
}

/// One financial request, parsed.
struct Request<'a> {
    message: &'a Message,
    tid: String,
    batch: u32,
    stan: u32,
    pan: String,
    amount: u64,
    date: String,
    time: String,
    day: CivilDate,
    merchant_id: String,
}

/// What the bank decided.
enum Decision {
    /// Approved; the ledger entry it made, if any.
    Approved(Option<usize>),
    /// Approved balance inquiry: the balance.
    Balance(u64),
    /// Declined with this code.
    Declined(&'static str),
}

impl Acquirer {
    pub(super) fn financial(&mut self, now: &LocalTime, message: &Message) -> Reply {
        let parsed = fields::terminal_id(message)
            .zip(fields::stan(message))
            .zip(fields::f60(message))
            .zip(fields::pan(message));
        let txn = message
            .get_str(3)
            .zip(fields::f60(message))
            .and_then(|(code, f60)| RequestKind::classify(message.mti.0, code, &f60.kind));
        let amount = fields::amount(message);
        let (Some((((tid, stan), f60), pan)), Some(txn)) = (parsed, txn) else {
            return self.format_error(now, message);
        };
        if txn != RequestKind::Balance && amount.is_none() {
            return self.format_error(now, message);
        }
        let keys = match self.authenticate(&tid, message) {
            Ok(keys) => keys,
            Err(failure) => return self.auth_failure(now, message, &failure),
        };
        let key = (f60.batch, stan, message.mti.0);
        let print = fingerprint(message);
        if let Some(reply) = self.seen_before(now, message, &tid, key, &print) {
            return reply;
        }
        self.terminals.entry(tid.clone()).or_default().batch = f60.batch;
        let request = Request {
            message,
            tid,
            batch: f60.batch,
            stan,
            pan,
            amount: amount.unwrap_or(0),
            date: now.mmdd(),
            time: now.hhmmss(),
            day: now.date(),
            merchant_id: message.get_str(42).unwrap_or_default().to_owned(),
        };
        let rrn = self.next_rrn();
        let decision = self.decide(txn, &request, &keys, now, &rrn);
        let (code, outcome) = match decision {
            Decision::Approved(entry) => (codes::APPROVED, Outcome::Approved(entry)),
            Decision::Balance(_) => (codes::APPROVED, Outcome::Approved(None)),
            Decision::Declined(code) => (code, Outcome::Declined),
        };
        let mut reply = self.base_reply(now, message, code);
        reply.set(15, now.mmdd()).set(37, rrn);
        match decision {
            Decision::Approved(Some(index)) => {
                if let Some(entry) = self.ledger.get(index) {
                    reply.set(38, &entry.auth_code);
                }
                if message.get(55).is_some() && core::mem::take(&mut self.script_next) {
                    reply.set(55, super::advice::issuer_script());
                }
            }
            Decision::Approved(None) => {
                reply.set(38, self.next_auth_code());
            }
            Decision::Balance(balance) => {
                let currency = message.get_str(49).unwrap_or("156");
                reply
                    .set(38, self.next_auth_code())
                    .set(54, format!("1002{currency}C{:012}", balance % 1_000_000_000_000));
            }
            Decision::Declined(_) => {}
        }
        let mut reply = Reply::new(reply);
        reply.mac = true;
        match self.terminals.get_mut(&request.tid) {
            Some(terminal) => terminal.remember(key, print, reply, outcome),
            None => reply,
        }
    }

    fn decide(
        &mut self,
        txn: RequestKind,
        request: &Request<'_>,
        keys: &ClearKeys,
        now: &LocalTime,
        rrn: &str,
    ) -> Decision {
        let card = match usable_card(&self.config.cards, &request.pan, now) {
            Ok(card) => card.clone(),
            Err(code) => return Decision::Declined(code),
        };
        if let Err(code) = check_pin(&card, request.message.get(52), &keys.pik, txn.pin_required()) {
            return Decision::Declined(code);
        }
        let kind = match txn {
            RequestKind::Balance => return Decision::Balance(self.ledger.balance(&card.pan).unwrap_or(0)),
            RequestKind::Posting(kind) => kind,
        };
        let result = match kind {
            LedgerKind::Sale => self.sale(request, &card, rrn),
            LedgerKind::Void => self.void(request, &card, rrn),
            LedgerKind::Refund => self.refund(request, &card, rrn),
            LedgerKind::PreAuth => self.pre_auth(request, &card, rrn),
            LedgerKind::PreAuthCancel => self.pre_auth_cancel(request, &card, rrn),
            LedgerKind::Completion => self.completion(request, &card, rrn),
            LedgerKind::CompletionVoid => self.completion_void(request, &card, rrn),
            LedgerKind::CompletionAdvice => self.completion_advice(request, &card, rrn),
        };
        match result {
            Ok(index) => Decision::Approved(Some(index)),
            Err(code) => Decision::Declined(code),
        }
    }

    /// Appends the approved transaction to the ledger with a new authorization code.
    fn record(
        &mut self,
        request: &Request<'_>,
        card: &TestCard,
        rrn: &str,
        kind: LedgerKind,
        original: Option<usize>,
    ) -> usize {
        let auth_code = self.next_auth_code();
        self.ledger.push(LedgerEntry {
            terminal_id: request.tid.clone(),
            batch: request.batch,
            stan: request.stan,
            kind,
            pan: card.pan.clone(),
            amount: request.amount,
            rrn: rrn.to_owned(),
            auth_code,
            date: request.date.clone(),
            time: request.time.clone(),
            day: request.day,
            merchant_id: request.merchant_id.clone(),
            foreign: card.foreign,
            original,
            reversed: false,
            voided: false,
            refunded: 0,
            completed: false,
            late: false,
            chip: request
                .message
                .get_str(22)
                .is_some_and(|f22| f22.starts_with("05") || f22.starts_with("07")),
        })
    }

    fn sale(&mut self, request: &Request<'_>, card: &TestCard, rrn: &str) -> Result<usize, &'static str> {
        forced(request.amount)?;
        if !self.ledger.try_debit(&card.pan, request.amount) {
            return Err(codes::INSUFFICIENT_FUNDS);
        }
        Ok(self.record(request, card, rrn, LedgerKind::Sale, None))
    }

    fn pre_auth(&mut self, request: &Request<'_>, card: &TestCard, rrn: &str) -> Result<usize, &'static str> {
        forced(request.amount)?;
        if !self.ledger.try_debit(&card.pan, request.amount) {
            return Err(codes::INSUFFICIENT_FUNDS);
        }
        Ok(self.record(request, card, rrn, LedgerKind::PreAuth, None))
    }

    /// Sale void: the terminal's approved sale at (61.1, 61.2), F37 = its RRN if sent.
    fn void(&mut self, request: &Request<'_>, card: &TestCard, rrn: &str) -> Result<usize, &'static str> {
        let index = self.find_same_batch(request, LedgerKind::Sale)?;
        self.ledger.credit(&card.pan, request.amount);
        if let Some(sale) = self.ledger.get_mut(index) {
            sale.voided = true;
        }
        Ok(self.record(request, card, rrn, LedgerKind::Void, Some(index)))
    }

    /// Completion void: the terminal's approved completion at (61.1, 61.2).
    fn completion_void(&mut self, request: &Request<'_>, card: &TestCard, rrn: &str) -> Result<usize, &'static str> {
        let index = self.find_same_batch(request, LedgerKind::Completion)?;
        self.ledger.credit(&card.pan, request.amount);
        if let Some(completion) = self.ledger.get_mut(index) {
            completion.voided = true;
        }
        Ok(self.record(request, card, rrn, LedgerKind::CompletionVoid, Some(index)))
    }

    /// The original of a void or completion void: same terminal, card and (batch, STAN) as F61,
    /// same RRN as F37 when sent, not reversed (`25`); in the current batch, not voided or
    /// refunded (`12`); same amount (`64`).
    fn find_same_batch(&self, request: &Request<'_>, kind: LedgerKind) -> Result<usize, &'static str> {
        let f61 = fields::f61(request.message).ok_or(codes::FORMAT_ERROR)?;
        let rrn = request.message.get_str(37);
        let index = self
            .ledger
            .find(|e| {
                e.kind == kind
                    && e.terminal_id == request.tid
                    && e.batch == f61.batch
                    && e.stan == f61.stan
                    && e.pan == request.pan
                    && !e.reversed
                    && rrn.is_none_or(|r| r == e.rrn)
            })
            .ok_or(codes::ORIGINAL_NOT_FOUND)?;
        let original = self.ledger.get(index).ok_or(codes::ORIGINAL_NOT_FOUND)?;
        if original.batch != request.batch || original.voided || original.refunded > 0 {
            return Err(codes::INVALID_TRANSACTION);
        }
        if original.amount != request.amount {
            return Err(codes::ORIGINAL_AMOUNT_INCORRECT);
        }
        Ok(index)
    }

    /// Refund: the sale or completion with RRN F37 on this card (any terminal), approved on the
    /// date 61.3 when sent (`25` otherwise, or if reversed); not voided (`12`); at most what is
    /// left after earlier refunds (`13`).
    fn refund(&mut self, request: &Request<'_>, card: &TestCard, rrn: &str) -> Result<usize, &'static str> {
        forced(request.amount)?;
        let original_rrn = request.message.get_str(37).ok_or(codes::FORMAT_ERROR)?;
        let date = fields::f61(request.message).and_then(|f| f.date);
        let index = self
            .ledger
            .find(|e| e.kind.is_charge() && e.rrn == original_rrn && e.pan == card.pan)
            .ok_or(codes::ORIGINAL_NOT_FOUND)?;
        let original = self.ledger.get(index).ok_or(codes::ORIGINAL_NOT_FOUND)?;
        let date_matches = date.as_deref().is_none_or(|d| d == "0000" || d == original.date);
        if original.reversed || !date_matches {
            return Err(codes::ORIGINAL_NOT_FOUND);
        }
        if original.voided {
            return Err(codes::INVALID_TRANSACTION);
        }
        if request.amount > original.amount.saturating_sub(original.refunded) {
            return Err(codes::INVALID_AMOUNT);
        }
        self.ledger.credit(&card.pan, request.amount);
        if let Some(original) = self.ledger.get_mut(index) {
            original.refunded = original.refunded.saturating_add(request.amount);
        }
        Ok(self.record(request, card, rrn, LedgerKind::Refund, Some(index)))
    }

    /// The pre-authorization a cancel or completion refers to: same card, (batch, STAN) and
    /// date (when not `0000`) as F61, auth code F38 when sent, not reversed (`25`); not already
    /// cancelled or completed (`12`). Any terminal may complete or cancel it.
    fn find_pre_auth(&self, request: &Request<'_>) -> Result<usize, &'static str> {
        let F61 { batch, stan, date } = fields::f61(request.message).ok_or(codes::FORMAT_ERROR)?;
        let auth_code = request.message.get_str(38);
        let index = self
            .ledger
            .find(|e| {
                e.kind == LedgerKind::PreAuth
                    && e.pan == request.pan
                    && e.batch == batch
                    && e.stan == stan
                    && !e.reversed
                    && auth_code.is_none_or(|a| a == e.auth_code)
                    && date.as_deref().is_none_or(|d| d == "0000" || d == e.date)
            })
            .ok_or(codes::ORIGINAL_NOT_FOUND)?;
        let pre_auth = self.ledger.get(index).ok_or(codes::ORIGINAL_NOT_FOUND)?;
        if pre_auth.voided || pre_auth.completed {
            return Err(codes::INVALID_TRANSACTION);
        }
        Ok(index)
    }

    /// Pre-auth cancel: the full pre-auth amount (`64` otherwise); releases the hold.
    fn pre_auth_cancel(&mut self, request: &Request<'_>, card: &TestCard, rrn: &str) -> Result<usize, &'static str> {
        let index = self.find_pre_auth(request)?;
        let held = self.ledger.get(index).map_or(0, |e| e.amount);
        if held != request.amount {
            return Err(codes::ORIGINAL_AMOUNT_INCORRECT);
        }
        self.ledger.credit(&card.pan, held);
        if let Some(pre_auth) = self.ledger.get_mut(index) {
            pre_auth.voided = true;
        }
        Ok(self.record(request, card, rrn, LedgerKind::PreAuthCancel, Some(index)))
    }

    /// Completion: at most 115% of the pre-auth (`13`); releases the hold and debits the
    /// completion amount (`51` if the balance plus the hold does not cover it).
    fn completion(&mut self, request: &Request<'_>, card: &TestCard, rrn: &str) -> Result<usize, &'static str> {
        forced(request.amount)?;
        let index = self.find_pre_auth(request)?;
        let held = self.ledger.get(index).map_or(0, |e| e.amount);
        if u128::from(request.amount) * 100 > u128::from(held) * 115 {
            return Err(codes::INVALID_AMOUNT);
        }
        self.ledger.credit(&card.pan, held);
        if !self.ledger.try_debit(&card.pan, request.amount) {
            self.ledger.force_debit(&card.pan, held);
            return Err(codes::INSUFFICIENT_FUNDS);
        }
        if let Some(pre_auth) = self.ledger.get_mut(index) {
            pre_auth.completed = true;
        }
        Ok(self.record(request, card, rrn, LedgerKind::Completion, Some(index)))
    }
}

impl Acquirer {
    /// Completion advice: the terminal completed the pre-authorization offline, so the bank
    /// books it (at most 115%, `13`), releasing the hold and debiting the amount even past the
    /// balance: the goods are gone.
    fn completion_advice(&mut self, request: &Request<'_>, card: &TestCard, rrn: &str) -> Result<usize, &'static str> {
        let index = self.find_pre_auth(request)?;
        let held = self.ledger.get(index).map_or(0, |e| e.amount);
        if u128::from(request.amount) * 100 > u128::from(held) * 115 {
            return Err(codes::INVALID_AMOUNT);
        }
        self.ledger.credit(&card.pan, held);
        self.ledger.force_debit(&card.pan, request.amount);
        if let Some(pre_auth) = self.ledger.get_mut(index) {
            pre_auth.completed = true;
        }
        Ok(self.record(request, card, rrn, LedgerKind::CompletionAdvice, Some(index)))
    }
}

/// The amount-suffix rule as a `Result`.
fn forced(amount: u64) -> Result<(), &'static str> {
    forced_code(amount).map_or(Ok(()), Err)
}
