//! The simulated acquirer as a JS class, for the demo: the browser terminal talks to it instead
//! of a real bank.

use std::collections::BTreeMap;

use pos_acquirer_sim::{AcquirerConfig, AcquirerOutput, Fault, LedgerEntry};
use pos_kernel::engine::downloads::ManagementTask;
use pos_kernel::pan::mask;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::js::{from_js, hex_arg, string, to_js};

/// The ledger as `ledger()` shows it.
#[derive(Serialize, tsify::Tsify)]
pub struct MaskedLedger {
    entries: Vec<LedgerEntry>,
    balances: BTreeMap<String, u64>,
}

/// What the acquirer does with one frame.
#[derive(Serialize, tsify::Tsify)]
#[serde(rename_all = "snake_case")]
#[tsify(rename = "AcquirerOutput")]
pub enum Action {
    Reply(String),
    LateReply(String),
    Close,
}

/// The simulated bank: test cards, decisions, ledger, fault injection (sans-IO).
#[derive(Debug)]
#[wasm_bindgen]
pub struct Acquirer {
    bank: pos_acquirer_sim::Acquirer,
}

#[wasm_bindgen]
impl Acquirer {
    /// A bank with the test TMK and the documented test cards.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Acquirer {
        Acquirer {
            bank: pos_acquirer_sim::Acquirer::new(AcquirerConfig::default()),
        }
    }

    /// Processes one frame (hex, 2-byte length included) at `now`; returns what to do, in order.
    /// A frame that does not decode gets no answer (an empty list).
    #[wasm_bindgen(js_name = handleFrame, unchecked_return_type = "AcquirerOutput[]")]
    pub fn handle_frame(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Timestamp")] now: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Hex")] frame: JsValue,
    ) -> Result<JsValue, JsError> {
        let now: u64 = from_js(now, "timestamp")?;
        let frame = hex_arg(&frame, "frame")?;
        let actions: Vec<Action> = self
            .bank
            .handle_frame(now, &frame)
            .into_iter()
            .map(|output| match output {
                AcquirerOutput::Reply(bytes) => Action::Reply(hex::encode(bytes)),
                AcquirerOutput::LateReply(bytes) => Action::LateReply(hex::encode(bytes)),
                AcquirerOutput::Close => Action::Close,
            })
            .collect();
        to_js(&actions)
    }

    /// Queues a fault for the next reply: `drop-reply`, `delay-reply`, `bad-mac`, `wrong-stan`,
    /// `wrong-tid`, `wrong-amount`, `wrong-mti`, `answer-twice`, `garbage`, `close`,
    /// `sign-on-again`. Throws for an unknown name.
    pub fn inject(&mut self, #[wasm_bindgen(unchecked_param_type = "string")] fault: JsValue) -> Result<(), JsError> {
        let fault: Fault = string(&fault, "fault")?
            .parse()
            .map_err(|e: pos_acquirer_sim::UnknownFault| JsError::new(&e.to_string()))?;
        self.bank.inject(fault);
        Ok(())
    }

    /// Asks the terminal, in the header of the bank's replies, for a management task until it
    /// is carried out: `parameters`, `status_upload`, `ca_keys` or `ic_parameters`.
    pub fn ask(
        &mut self,
        terminal_id: &str,
        #[wasm_bindgen(unchecked_param_type = "string")] task: JsValue,
    ) -> Result<(), JsError> {
        let task = string(&task, "task")?;
        let task = match task.as_str() {
            "parameters" => ManagementTask::Parameters,
            "status_upload" => ManagementTask::StatusUpload,
            "ca_keys" => ManagementTask::CaKeys,
            "ic_parameters" => ManagementTask::IcParameters,
            other => {
                return Err(JsError::new(&format!(
                    "unknown task `{other}`: parameters, status_upload, ca_keys or ic_parameters"
                )))
            }
        };
        self.bank.ask(terminal_id, task);
        Ok(())
    }

    /// The next approval of a chip request carries an issuer script (a script result advice
    /// follows it).
    #[wasm_bindgen(js_name = sendScriptWithNextApproval)]
    pub fn send_script_with_next_approval(&mut self) {
        self.bank.send_script_with_next_approval();
    }

    /// Forgets every queued fault.
    #[wasm_bindgen(js_name = clearFaults)]
    pub fn clear_faults(&mut self) {
        self.bank.clear_faults();
    }

    /// The queued faults' names, next first.
    #[wasm_bindgen(js_name = pendingFaults)]
    pub fn pending_faults(&self) -> Vec<String> {
        self.bank.pending_faults().map(|f| f.name().to_owned()).collect()
    }

    /// Every fault name `inject` accepts.
    #[wasm_bindgen(js_name = faultNames)]
    pub fn fault_names() -> Vec<String> {
        Fault::ALL.iter().map(|f| f.name().to_owned()).collect()
    }

    /// The ledger for display: `{ entries, balances }`, every charge, credit, hold and reversal
    /// and every card's balance, with the PANs masked (`balance(pan)` takes a full PAN).
    #[wasm_bindgen(unchecked_return_type = "MaskedLedger")]
    pub fn ledger(&self) -> Result<JsValue, JsError> {
        let ledger = self.bank.ledger();
        let entries: Vec<LedgerEntry> = ledger
            .entries()
            .iter()
            .map(|entry| LedgerEntry {
                pan: mask(&entry.pan),
                ..entry.clone()
            })
            .collect();
        let balances: BTreeMap<String, u64> = self
            .bank
            .config()
            .cards
            .iter()
            .filter_map(|card| Some((mask(&card.pan), ledger.balance(&card.pan)?)))
            .collect();
        to_js(&MaskedLedger { entries, balances })
    }

    /// The dates (`YYYYMMDD`) that have a statement: the day after each approval (T+1), or the
    /// day after that for one after the cut-off.
    #[wasm_bindgen(js_name = statementDates)]
    pub fn statement_dates(&self) -> Vec<String> {
        let dates: std::collections::BTreeSet<String> = self
            .bank
            .ledger()
            .entries()
            .iter()
            .map(|e| self.bank.statement_date(e).yyyymmdd())
            .collect();
        dates.into_iter().collect()
    }

    /// `merchant_id`'s statement file of `date` (`YYYYMMDD`), docs/profile.md §8.
    pub fn statement(&self, merchant_id: &str, date: &str) -> Result<String, JsError> {
        let date = pos_kernel::time::CivilDate::parse_yyyymmdd(date)
            .ok_or_else(|| JsError::new(&format!("`{date}` is not a date YYYYMMDD")))?;
        Ok(self.bank.statement(merchant_id, date).render())
    }

    /// The bank's whole state (hex): what a host saves to keep the bank across restarts. It holds
    /// what a bank holds (keys, ledger, the replies it sent), never track data or PIN blocks.
    pub fn snapshot(&self) -> String {
        hex::encode(self.bank.snapshot())
    }

    /// A bank from a `snapshot()`. Throws for anything else.
    #[wasm_bindgen(js_name = fromSnapshot)]
    pub fn from_snapshot(#[wasm_bindgen(unchecked_param_type = "Hex")] snapshot: JsValue) -> Result<Acquirer, JsError> {
        let bytes = hex_arg(&snapshot, "acquirer snapshot")?;
        let bank = pos_acquirer_sim::Acquirer::from_snapshot(&bytes).map_err(|e| JsError::new(&e))?;
        Ok(Acquirer { bank })
    }

    /// Net amount charged (minor units) through `terminal_id`: charges minus credits.
    #[wasm_bindgen(js_name = netCharged)]
    pub fn net_charged(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] terminal_id: JsValue,
    ) -> Result<f64, JsError> {
        let terminal_id = string(&terminal_id, "terminal id")?;
        // i128 → f64: exact for any amount a demo can reach (below 2^53 minor units).
        Ok(self.bank.ledger().net_charged(&terminal_id) as f64)
    }

    /// A card's balance (minor units), or `undefined` for an unknown card.
    pub fn balance(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] pan: JsValue,
    ) -> Result<Option<f64>, JsError> {
        let pan = string(&pan, "pan")?;
        Ok(self.bank.ledger().balance(&pan).map(|b| b as f64))
    }
}
