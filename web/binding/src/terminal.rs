//! The kernel as a JS class.

use pos_kernel::engine::{ArchivedBatch, FailReason, Query, TransactionKind};
use pos_kernel::guidance::{self, Guidance};
use pos_kernel::reconcile::{self, Statement};
use pos_kernel::reprint::ReprintRequest;
use pos_kernel::security::crypto::TEST_TMK;
use pos_kernel::security::{PinPad, SoftwareSecurityModule};
use pos_kernel::{Config, Input, Timestamp};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::js::{from_js, from_js_strict, hex_arg, string, to_js};

/// Why a transaction cannot start, before a card is asked for.
#[derive(Serialize, tsify::Tsify)]
#[tsify(missing_as_null)]
struct CardRefusal {
    reason: FailReason,
    guidance: Guidance,
}

/// One terminal: the sans-IO kernel with the software security module, the test TMK
/// (docs/profile.md §6) and a PIN pad (`enterPin`). Run loop: `handle` an input, then carry out every output of `pollOutput`
/// (or `drain`) in order; a `persist` must be durable before anything after it is carried out,
/// then answer `"persisted"`.
// The kernel holds a boxed security module and is not `Debug`; JS never prints it.
#[allow(missing_debug_implementations)]
#[wasm_bindgen]
pub struct Terminal {
    kernel: pos_kernel::Terminal,
    /// The PIN pad the security module takes PINs from: the page's keypad types here, so the
    /// PIN never reaches the kernel.
    pin_pad: PinPad,
}

/// The software security module with the test TMK, on a new PIN pad.
fn security() -> (Box<SoftwareSecurityModule>, PinPad) {
    let pin_pad = PinPad::new();
    let module = SoftwareSecurityModule::with_pin_pad(TEST_TMK, pin_pad.clone());
    (Box::new(module), pin_pad)
}

#[wasm_bindgen]
impl Terminal {
    /// A brand-new terminal with an empty journal. Throws for an invalid configuration.
    pub fn create(
        #[wasm_bindgen(unchecked_param_type = "TerminalConfig")] config: JsValue,
    ) -> Result<Terminal, JsError> {
        let config: Config = from_js_strict(config, "configuration")?;
        let (security, pin_pad) = security();
        let kernel = pos_kernel::Terminal::new(config, security).map_err(|e| JsError::new(&e.to_string()))?;
        Ok(Terminal { kernel, pin_pad })
    }

    /// Rebuilds a terminal from its journal records (hex strings, oldest first: every record the
    /// host made durable) and resumes what was in flight: a pending reversal is sent first.
    pub fn restore(
        #[wasm_bindgen(unchecked_param_type = "TerminalConfig")] config: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Hex[]")] records: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Timestamp")] now: JsValue,
    ) -> Result<Terminal, JsError> {
        let config: Config = from_js_strict(config, "configuration")?;
        let now: Timestamp = from_js(now, "timestamp")?;
        if !js_sys::Array::is_array(&records) {
            return Err(JsError::new(
                "invalid journal records: expected an array of hex strings",
            ));
        }
        let records = js_sys::Array::from(&records)
            .iter()
            .enumerate()
            .map(|(i, record)| hex_arg(&record, &format!("journal record {i}")))
            .collect::<Result<Vec<_>, _>>()?;
        let (security, pin_pad) = security();
        let kernel = pos_kernel::Terminal::restore(config, security, records.iter().map(Vec::as_slice), now)
            .map_err(|e| JsError::new(&e.to_string()))?;
        Ok(Terminal { kernel, pin_pad })
    }

    /// The cardholder typed `pin` (4 to 12 digits) on the PIN pad: it goes to the security
    /// module, never to the kernel, and serves the next card whose `pin_entered` is true. Throws
    /// for anything but 4 to 12 digits (the pad is then empty).
    #[wasm_bindgen(js_name = enterPin)]
    pub fn enter_pin(&self, #[wasm_bindgen(unchecked_param_type = "string")] pin: JsValue) -> Result<(), JsError> {
        let pin = string(&pin, "pin")?;
        self.pin_pad
            .enter(&pin)
            .map_err(|_| JsError::new("invalid pin: expected 4 to 12 digits typed on the PIN pad"))
    }

    /// Feeds one input at time `now`. Throws if the input is not a kernel input.
    pub fn handle(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Timestamp")] now: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Input")] input: JsValue,
    ) -> Result<(), JsError> {
        let now: Timestamp = from_js(now, "timestamp")?;
        let input: Input = from_js_strict(input, "input")?;
        self.kernel.handle(now, input);
        Ok(())
    }

    /// What the terminal can check before a card is asked for (signed on, no settlement in
    /// progress, the amount within its limits): `null` when `kind` (a `TransactionKind`, e.g.
    /// `"sale"`) may go ahead with `amount` (minor units, or `null`), otherwise the reason and
    /// the guidance to show, so that the customer is not asked for a card in vain.
    #[wasm_bindgen(js_name = checkBeforeCard, unchecked_return_type = "CardRefusal | null")]
    pub fn check_before_card(
        &self,
        #[wasm_bindgen(unchecked_param_type = "TransactionKind")] kind: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number | null")] amount: JsValue,
    ) -> Result<JsValue, JsError> {
        let kind: TransactionKind = from_js(kind, "transaction kind")?;
        let amount: Option<u64> = from_js(amount, "amount")?;
        match self.kernel.check_before_card(kind, amount) {
            Ok(()) => Ok(JsValue::NULL),
            Err(reason) => to_js(&CardRefusal {
                guidance: guidance::local(&reason),
                reason,
            }),
        }
    }

    /// The next output, or `null` when there is none.
    #[wasm_bindgen(js_name = pollOutput, unchecked_return_type = "Output | null")]
    pub fn poll_output(&mut self) -> Result<JsValue, JsError> {
        match self.kernel.poll_output() {
            Some(output) => to_js(&output),
            None => Ok(JsValue::NULL),
        }
    }

    /// Every output available now, in order (one call instead of one per output).
    #[wasm_bindgen(unchecked_return_type = "Output[]")]
    pub fn drain(&mut self) -> Result<JsValue, JsError> {
        let outputs: Vec<_> = std::iter::from_fn(|| self.kernel.poll_output()).collect();
        to_js(&outputs)
    }

    /// Batch, STAN, totals, pending reversal, pending refunds, exceptions, open pre-auths.
    #[wasm_bindgen(unchecked_return_type = "Status")]
    pub fn status(&self) -> Result<JsValue, JsError> {
        to_js(&self.kernel.status())
    }

    /// The recorded life of one transaction (by `{stan}` or `{rrn}`), or `null` if unknown.
    #[wasm_bindgen(unchecked_return_type = "TransactionLife | null")]
    pub fn query(&self, #[wasm_bindgen(unchecked_param_type = "Query")] query: JsValue) -> Result<JsValue, JsError> {
        let query: Query = from_js_strict(query, "query")?;
        match self.kernel.query(&query) {
            Some(life) => to_js(&life),
            None => Ok(JsValue::NULL),
        }
    }

    /// Was I paid? The acquirer's statement files (their text, one per date) against the journal
    /// and the archived batches (hex, as the `archive` outputs gave them; a batch archived twice
    /// counts once, the later copy): every line and every transaction in one bucket, with
    /// guidance (docs/architecture.md, rule 17). `all` lists credited lines too. Throws with the
    /// line and column of a statement that does not parse; nothing is matched then.
    #[wasm_bindgen(unchecked_return_type = "Report")]
    pub fn reconcile(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string[]")] statements: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Hex[]")] archive: JsValue,
        all: bool,
    ) -> Result<JsValue, JsError> {
        let config = self.kernel.config();
        let texts: Vec<String> = from_js(statements, "statements")?;
        let statements = texts
            .iter()
            .enumerate()
            .map(|(i, text)| {
                Statement::parse(text, &config.merchant_id)
                    .map_err(|e| JsError::new(&format!("statement {}: {e}; nothing was matched", i + 1)))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let archive = archived_batches(archive)?;
        let transactions = reconcile::transactions(&config.terminal_id, self.kernel.durable_state(), &archive);
        let items = reconcile::match_books(&statements, &transactions)
            .map_err(|e| JsError::new(&format!("{e}; nothing was matched")))?;
        to_js(&reconcile::report(&statements, &transactions, &items, all))
    }

    /// The reconciliation as every host returns it (the vectors compare these items): what
    /// `reconcile` matches, one item per entry, transaction or pair. Throws with why the
    /// statements were refused.
    #[wasm_bindgen(js_name = reconcileItems, unchecked_return_type = "ReconciledItem[]")]
    pub fn reconcile_items(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string[]")] statements: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Hex[]")] archive: JsValue,
    ) -> Result<JsValue, JsError> {
        let statements: Vec<String> = from_js(statements, "statements")?;
        let hexes: Vec<String> = from_js(archive, "archived batches")?;
        let archive = hexes
            .iter()
            .enumerate()
            .map(|(i, text)| crate::js::from_hex(text, &format!("archived batch {i}")))
            .collect::<Result<Vec<_>, _>>()?;
        let items =
            reconcile::reconcile_terminal(self.kernel.config(), self.kernel.durable_state(), &archive, &statements)
                .map_err(|e| JsError::new(&e))?;
        to_js(&items)
    }

    /// Prints again, marked 重打印 / REPRINT (rule 18): `"last"`, `{stan: N}` or `"settlement"`,
    /// from the journal and the archived batches (hex). Throws with why there is nothing to print.
    #[wasm_bindgen(unchecked_return_type = "Reprint")]
    pub fn reprint(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ReprintRequest")] request: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Hex[]")] archive: JsValue,
    ) -> Result<JsValue, JsError> {
        let request: ReprintRequest = from_js_strict(request, "reprint request")?;
        let archive = archived_batches(archive)?;
        let reprint =
            pos_kernel::reprint::reprint(self.kernel.config(), self.kernel.durable_state(), &archive, &request)
                .map_err(|e| JsError::new(&e.to_string()))?;
        to_js(&reprint)
    }
}

/// The archived batches (hex), oldest first: a batch stored twice (a crash between archiving and
/// compacting) counts once, its later copy.
fn archived_batches(archive: JsValue) -> Result<Vec<ArchivedBatch>, JsError> {
    let hexes: Vec<String> = from_js(archive, "archived batches")?;
    let mut batches: Vec<ArchivedBatch> = Vec::with_capacity(hexes.len());
    for (i, text) in hexes.iter().enumerate() {
        let bytes = crate::js::from_hex(text, &format!("archived batch {i}"))?;
        let batch = ArchivedBatch::decode(&bytes).map_err(|e| JsError::new(&format!("archived batch {i}: {e}")))?;
        batches.retain(|b| b.batch != batch.batch);
        batches.push(batch);
    }
    Ok(batches)
}

/// The batch number and settlement time of an archived batch (hex), for the page's housekeeping.
#[wasm_bindgen(js_name = archivedBatchInfo, unchecked_return_type = "{ batch: number, settled_at: string }")]
pub fn archived_batch_info(#[wasm_bindgen(unchecked_param_type = "Hex")] hex: JsValue) -> Result<JsValue, JsError> {
    let bytes = hex_arg(&hex, "archived batch")?;
    let batch = ArchivedBatch::decode(&bytes).map_err(|e| JsError::new(&e.to_string()))?;
    #[derive(Serialize)]
    struct Info {
        batch: u32,
        settled_at: String,
    }
    to_js(&Info {
        batch: batch.batch,
        settled_at: batch.settled_at,
    })
}

/// Every transaction kind as the kernel defines it (kernel/src/engine/kinds.rs): its names (中文,
/// English), its request's shape on the wire, and its properties. Pages take names and signs
/// from here rather than keeping a list of their own.
#[wasm_bindgen(js_name = transactionKinds, unchecked_return_type = "KindInfo[]")]
pub fn transaction_kinds() -> Result<JsValue, JsError> {
    to_js(&pos_kernel::engine::KINDS)
}

/// The default configuration: the test terminal of docs/profile.md §6.
#[wasm_bindgen(js_name = defaultConfig, unchecked_return_type = "Config")]
pub fn default_config() -> Result<JsValue, JsError> {
    to_js(&Config::default())
}
