//! The vector file format (tests/vectors/*.json): one scenario per file.
//!
//! ```json
//! { "id": "...", "description": "...", "config": { ... },
//!   "steps": [ { "now": 1795226400000, "input": {"receive": "00..."}, "expect": [ {"transmit": "00..."} ] } ] }
//! ```
//! `input` is a kernel [`Input`] or `"restart"` (rebuild the terminal from the records it has
//! persisted so far: those acknowledged with `"persisted"`). `expect` lists every output, in order.
//! `typed_pin`, when present, is what the cardholder typed on the host's PIN pad before the input
//! (a card with `"pin_entered": true`): the host types it on its pad, never into the kernel.
//! `{"reconcile": {"statements": [...]}}` asks the terminal to reconcile the acquirer's statement
//! files with its journal and every batch the host archived so far (in the order of the `archive`
//! outputs); the step's `reconciled` is the answer (`{"items": [...]}` or `{"refused": "..."}`).

use pos_kernel::reconcile::ReconciledItem;
use pos_kernel::{Config, Input, Output, Timestamp};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vector {
    /// Stable id, also the file name.
    pub id: String,
    /// What the scenario proves, in one line.
    pub description: String,
    /// The terminal's configuration; the security module is the software one with the test TMK.
    pub config: Config,
    pub steps: Vec<Step>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub now: Timestamp,
    /// Typed on the PIN pad before the input; the kernel never receives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub typed_pin: Option<String>,
    pub input: StepInput,
    pub expect: Vec<Output>,
    /// For a `reconcile` step: what the kernel's matcher answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconciled: Option<Reconciled>,
}

/// What a reconciliation step answers: every item, or why the statements were refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reconciled {
    Items(Vec<ReconciledItem>),
    Refused(String),
}

impl From<Result<Vec<ReconciledItem>, String>> for Reconciled {
    fn from(result: Result<Vec<ReconciledItem>, String>) -> Self {
        match result {
            Ok(items) => Reconciled::Items(items),
            Err(reason) => Reconciled::Refused(reason),
        }
    }
}

// Steps are test data read once; boxing the input would only obscure the scenarios.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepInput {
    /// The process restarts: the terminal is rebuilt from its durable journal records.
    Restart,
    /// The acquirer's statement files (their text) are reconciled with the journal and the
    /// archived batches the host stored (the `archive` outputs so far); nothing is output.
    Reconcile { statements: Vec<String> },
    #[serde(untagged)]
    Kernel(Input),
}

impl Vector {
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    pub fn from_json(text: &str) -> Result<Vector, serde_json::Error> {
        serde_json::from_str(text)
    }
}
