//! The [`Acquirer`]: decodes a frame, dispatches it by MTI, and hands the reply to the fault
//! stage.

mod advice;
mod financial;
mod management;
mod network;
mod reversal;
mod settlement;

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde::{Deserialize, Serialize};

use pos_kernel::codec::{Frame, Header, Message};
use pos_kernel::security::crypto::cup_mac;

use crate::clock::LocalTime;
use crate::codes;
use crate::config::AcquirerConfig;
use crate::faults::{self, Fault, Reply};
use crate::fields;
use crate::ledger::Ledger;
use crate::statement::StatementFault;
use crate::terminal::{fingerprint, ClearKeys, Fingerprint, KnownTerminal, SeenKey};

pub use management::{test_aids, test_ca_keys, Management, PAGE};
pub use settlement::{ChipUpload, UploadEntry};

/// What the bank does in answer to one frame, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AcquirerOutput {
    /// Send these bytes (a whole frame, 2-byte length included) now.
    Reply(Vec<u8>),
    /// Send these bytes only after the terminal's reply timeout has passed.
    LateReply(Vec<u8>),
    /// Close the connection.
    Close,
}

/// What the bank remembers about one terminal's batch.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct BatchRecord {
    uploads: Vec<UploadEntry>,
    #[serde(default)]
    chip_uploads: Vec<ChipUpload>,
    closed: bool,
}

/// The simulated acquirer. Sans-IO: feed it frames with [`Acquirer::handle_frame`] and carry
/// out the returned [`AcquirerOutput`]s in order.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Acquirer {
    config: AcquirerConfig,
    ledger: Ledger,
    terminals: BTreeMap<String, KnownTerminal>,
    batches: BTreeMap<(String, u32), BatchRecord>,
    faults: VecDeque<Fault>,
    corrupt_check_value: bool,
    rejected: usize,
    rrn_counter: u64,
    auth_counter: u64,
    sign_on_counter: u64,
    /// Ledger entries booked late ([`Fault::LateApproval`]): a reversal of one finds nothing.
    #[serde(default)]
    late_bookings: BTreeSet<usize>,
    /// What the statements change on request ([`StatementFault`]).
    #[serde(default)]
    pub(crate) statement_faults: Vec<StatementFault>,
    /// The next approval of a chip request carries an issuer script (tag 72) in its F55.
    #[serde(default)]
    script_next: bool,
    /// Script result advices received (0620 `951`): terminal, batch and STAN of the original.
    #[serde(default)]
    script_results: Vec<(String, u32, u32)>,
    /// What arrived twice, or not as the profile says (docs/profile.md §7): tests assert none.
    #[serde(default)]
    violations: Vec<String>,
    /// Parameters, CA keys and AIDs it downloads; what it asks each terminal for.
    #[serde(default)]
    management: Management,
}

/// A management message (docs/profile.md §7): 0800 / 0820 with 60.3 `360`–`382`.
fn is_management(request: &Message) -> bool {
    fields::f60(request)
        .and_then(|f| f.code)
        .is_some_and(|code| ["360", "362", "370", "371", "372", "380", "381", "382"].contains(&code.as_str()))
}

/// Why a financial request was not authenticated.
enum AuthFailure {
    /// The terminal has no working keys: `A0` with header requirement 3.
    NotSignedOn,
    /// F64 missing or wrong: `A0`.
    BadMac,
}

impl Acquirer {
    /// A bank with `config`'s cards at their opening balances, no terminals signed on.
    pub fn new(config: AcquirerConfig) -> Self {
        Acquirer {
            ledger: Ledger::new(&config.cards),
            config,
            terminals: BTreeMap::new(),
            batches: BTreeMap::new(),
            faults: VecDeque::new(),
            corrupt_check_value: false,
            rejected: 0,
            rrn_counter: 0,
            auth_counter: 0,
            late_bookings: BTreeSet::new(),
            statement_faults: Vec::new(),
            sign_on_counter: 0,
            script_next: false,
            script_results: Vec::new(),
            violations: Vec::new(),
            management: Management::default(),
        }
    }

    /// One frame from a terminal (2-byte length included), received at `now_ms` (milliseconds
    /// since the Unix epoch, UTC). Returns what the bank does, in order: usually one
    /// [`AcquirerOutput::Reply`]; nothing for a frame that does not decode (counted in
    /// [`Acquirer::rejected`]); otherwise whatever the next queued [`Fault`] makes of the reply.
    pub fn handle_frame(&mut self, now_ms: u64, frame: &[u8]) -> Vec<AcquirerOutput> {
        let Ok(request) = Frame::decode(frame) else {
            self.rejected = self.rejected.saturating_add(1);
            return Vec::new();
        };
        let now = crate::clock::local_time(now_ms, self.config.utc_offset_minutes);
        let booked = self.ledger.entries().len();
        let mut reply = self.dispatch(&now, &request.message);
        // A task asked of this terminal rides on every reply to it until carried out.
        if reply.requirement == 0 {
            let asked = fields::terminal_id(&request.message).and_then(|tid| self.requirement_for(&tid));
            reply.requirement = asked.unwrap_or(0);
        }
        let fault = self.faults.pop_front();
        if !fault.is_some_and(Fault::hides_the_approval) {
            self.delivered(&request.message, booked);
        } else if request.message.mti.0 != 220 {
            // The terminal will not hear of this approval in time and reverses it: a standing
            // entry is `L`. (A refund, 0220, is not reversed but resent until answered.)
            for index in booked..self.ledger.entries().len() {
                if let Some(entry) = self.ledger.get_mut(index) {
                    entry.late = true;
                }
                if fault == Some(Fault::LateApproval) {
                    self.late_bookings.insert(index);
                }
            }
        }
        let mak = fields::terminal_id(&request.message)
            .and_then(|tid| self.terminals.get(&tid))
            .and_then(|t| t.keys)
            .map(|k| k.mak);
        match faults::deliver(fault, reply, &request, mak.as_ref()) {
            Ok(outputs) => outputs,
            Err(_) => {
                self.rejected = self.rejected.saturating_add(1);
                Vec::new()
            }
        }
    }

    /// The reply to `request` reaches the terminal: an approval booked earlier under its STAN
    /// (whose first reply was lost: a refund's resend) is no longer late.
    fn delivered(&mut self, request: &pos_kernel::codec::Message, booked: usize) {
        if ![100, 200, 220].contains(&request.mti.0) {
            return;
        }
        let (Some(tid), Some(stan), Some(f60)) = (
            fields::terminal_id(request),
            fields::stan(request),
            fields::f60(request),
        ) else {
            return;
        };
        let earlier = self
            .ledger
            .find(|e| e.late && e.terminal_id == tid && e.batch == f60.batch && e.stan == stan);
        if let Some(entry) = earlier.filter(|i| *i < booked).and_then(|i| self.ledger.get_mut(i)) {
            entry.late = false;
        }
    }

    /// The bank's whole state as bytes (postcard): a host that must keep the bank across restarts
    /// (the browser demo across page reloads) saves it after every frame. It holds what a bank
    /// holds (keys, ledger with PANs, the replies it sent) and never track data or PIN blocks.
    pub fn snapshot(&self) -> Vec<u8> {
        // Every field serializes into a Vec.
        postcard::to_allocvec(self).unwrap_or_default()
    }

    /// A bank from a [`snapshot`](Acquirer::snapshot).
    pub fn from_snapshot(bytes: &[u8]) -> Result<Acquirer, String> {
        match postcard::take_from_bytes(bytes) {
            Ok((bank, [])) => Ok(bank),
            Ok((_, rest)) => Err(format!("not an acquirer snapshot: {} bytes too many", rest.len())),
            Err(e) => Err(format!("not an acquirer snapshot: {e}")),
        }
    }

    /// Queues `fault` for a later reply: faults apply first in, first out, one per reply that
    /// [`Acquirer::handle_frame`] produces (a frame that does not decode consumes none).
    pub fn inject(&mut self, fault: Fault) {
        self.faults.push_back(fault);
    }

    /// Forgets every queued fault.
    pub fn clear_faults(&mut self) {
        self.faults.clear();
    }

    /// Faults still queued, next first.
    pub fn pending_faults(&self) -> impl Iterator<Item = Fault> + '_ {
        self.faults.iter().copied()
    }

    /// The next sign-on reply (0810 `00`) carries a wrong MAK check value (the keys themselves
    /// are issued and installed at the bank as usual), so the terminal must reject it. One-shot,
    /// independent of the fault queue.
    pub fn corrupt_next_sign_on_check_value(&mut self) {
        self.corrupt_check_value = true;
    }

    /// The next approval of a chip request carries an issuer script (tag 72 in its F55): the
    /// terminal gives it to the card and sends the script result advice. One-shot.
    pub fn send_script_with_next_approval(&mut self) {
        self.script_next = true;
    }

    /// Script result advices received: (terminal id, batch, STAN) of each original.
    pub fn script_results(&self) -> &[(String, u32, u32)] {
        &self.script_results
    }

    /// Chip uploads received for a terminal's batch, in order.
    pub fn chip_uploads(&self, terminal_id: &str, batch: u32) -> &[ChipUpload] {
        self.batches
            .get(&(terminal_id.to_owned(), batch))
            .map_or(&[], |b| b.chip_uploads.as_slice())
    }

    /// What arrived twice or against the profile (an upload, advice or download step repeated
    /// under a new STAN, an end that miscounts): empty when the terminal behaved.
    pub fn violations(&self) -> &[String] {
        &self.violations
    }

    fn violation(&mut self, what: String) {
        self.violations.push(what);
    }

    /// The bank's books.
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// How many frames did not decode (and were not answered).
    pub fn rejected(&self) -> usize {
        self.rejected
    }

    /// The configuration the bank was created with.
    pub fn config(&self) -> &AcquirerConfig {
        &self.config
    }

    /// Whether `terminal_id` holds working keys from a sign-on (and has not signed off).
    pub fn is_signed_on(&self, terminal_id: &str) -> bool {
        self.terminals.get(terminal_id).is_some_and(|t| t.keys.is_some())
    }

    /// The batch (60.2) of the terminal's latest sign-on, financial or settlement-family request.
    pub fn terminal_batch(&self, terminal_id: &str) -> Option<u32> {
        self.terminals.get(terminal_id).map(|t| t.batch)
    }

    /// Batch-upload entries (0320, 60.3 `201`) received for a terminal's batch, in order.
    pub fn uploaded(&self, terminal_id: &str, batch: u32) -> &[UploadEntry] {
        self.batches
            .get(&(terminal_id.to_owned(), batch))
            .map_or(&[], |b| b.uploads.as_slice())
    }

    /// Whether a batch-upload end (0320, 60.3 `202`/`207`) closed this batch.
    pub fn batch_closed(&self, terminal_id: &str, batch: u32) -> bool {
        self.batches
            .get(&(terminal_id.to_owned(), batch))
            .is_some_and(|b| b.closed)
    }

    fn dispatch(&mut self, now: &LocalTime, request: &Message) -> Reply {
        match request.mti.0 {
            800 | 820 if is_management(request) => self.management(now, request),
            800 => self.sign_on(now, request),
            820 => self.network_management(now, request),
            100 | 200 | 220 => self.financial(now, request),
            400 => self.reversal(now, request),
            500 => self.settlement(now, request),
            320 => self.batch_upload(now, request),
            620 => self.script_advice(now, request),
            _ => self.format_error(now, request),
        }
    }

    /// The reply skeleton: MTI + 10; F2 F3 F4 F11 F41 F42 F49 F60 echoed where present; F12
    /// F13 local time and date; F32 acquirer id; F39.
    /// A request this terminal sent before under the same batch, STAN and MTI: the very same
    /// request is a retransmission and gets the same reply again; another one is refused as a
    /// duplicate (`94`). None for a request not seen before.
    fn seen_before(
        &self,
        now: &LocalTime,
        message: &Message,
        tid: &str,
        key: SeenKey,
        print: &Fingerprint,
    ) -> Option<Reply> {
        let seen = self.terminals.get(tid)?.seen.get(&key)?;
        if &seen.fingerprint == print {
            return Some(seen.reply.clone());
        }
        let mut reply = Reply::new(self.base_reply(now, message, codes::DUPLICATE_TRANSMISSION));
        reply.mac = true;
        Some(reply)
    }

    fn base_reply(&self, now: &LocalTime, request: &Message, code: &str) -> Message {
        let mut reply = Message::new(request.mti.response());
        for field in [2, 3, 4, 11, 41, 42, 49, 60] {
            if let Some(value) = request.get(field) {
                reply.set(field, value);
            }
        }
        reply
            .set(12, now.hhmmss())
            .set(13, now.mmdd())
            .set(32, &self.config.acquirer_id)
            .set(39, code);
        reply
    }

    /// `30`: the MTI, processing code or network code is not defined, or a field is missing.
    fn format_error(&self, now: &LocalTime, request: &Message) -> Reply {
        Reply::new(self.base_reply(now, request, codes::FORMAT_ERROR))
    }

    /// The terminal's keys if it is signed on and the request's F64 verifies with its MAK.
    fn authenticate(&self, terminal_id: &str, request: &Message) -> Result<ClearKeys, AuthFailure> {
        let keys = self
            .terminals
            .get(terminal_id)
            .and_then(|t| t.keys)
            .ok_or(AuthFailure::NotSignedOn)?;
        let mac_block = request.mac_block().map_err(|_| AuthFailure::BadMac)?;
        match request.get(64) {
            Some(mac) if mac == cup_mac(&keys.mak, &mac_block) => Ok(keys),
            _ => Err(AuthFailure::BadMac),
        }
    }

    /// For an advice or management request (MACed, answered once): the key to remember its
    /// answer under, or the reply to send at once: `A0` when it does not authenticate, the first
    /// answer again when it is a retransmission.
    fn first_time(
        &mut self,
        now: &LocalTime,
        message: &Message,
        tid: &str,
        batch: u32,
        stan: u32,
    ) -> Result<(SeenKey, Fingerprint), Box<Reply>> {
        if let Err(failure) = self.authenticate(tid, message) {
            return Err(Box::new(self.auth_failure(now, message, &failure)));
        }
        let key = (batch, stan, message.mti.0);
        let print = fingerprint(message);
        match self.seen_before(now, message, tid, key, &print) {
            Some(reply) => Err(Box::new(reply)),
            None => Ok((key, print)),
        }
    }

    /// Remembers `reply` (MACed when sent) as the answer to the request `first_time` let through.
    fn answer_once(&mut self, tid: &str, (key, print): (SeenKey, Fingerprint), reply: Message) -> Reply {
        let mut reply = Reply::new(reply);
        reply.mac = true;
        match self.terminals.get_mut(tid) {
            Some(terminal) => terminal.remember(key, print, reply, crate::terminal::Outcome::Approved(None)),
            None => reply,
        }
    }

    /// The `A0` reply for an authentication failure (no F64: the keys are in doubt).
    fn auth_failure(&self, now: &LocalTime, request: &Message, failure: &AuthFailure) -> Reply {
        let mut reply = Reply::new(self.base_reply(now, request, codes::MAC_ERROR));
        if matches!(failure, AuthFailure::NotSignedOn) {
            reply.requirement = Header::SIGN_ON_AGAIN;
        }
        reply
    }

    /// The next retrieval reference number: 12 digits, counting from `000000000001`.
    fn next_rrn(&mut self) -> String {
        self.rrn_counter = self.rrn_counter.saturating_add(1);
        format!("{:012}", self.rrn_counter % 1_000_000_000_000)
    }

    /// The next authorization code: 6 digits, a fixed permutation of a counter (unique for a
    /// million approvals, and not simply sequential so tests cannot confuse it with a STAN).
    fn next_auth_code(&mut self) -> String {
        self.auth_counter = self.auth_counter.saturating_add(1);
        let n = (self.auth_counter % 1_000_000) * 104_729 + 12_345;
        format!("{:06}", n % 1_000_000)
    }
}
