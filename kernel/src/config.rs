//! Terminal configuration: everything that differs between terminals and acquirers lives here,
//! not in code forks. Every field has a documented default (`Config::default()` is the test terminal
//! of docs/profile.md §6), and the struct (de)serializes with serde so hosts can keep it in TOML or JSON.

use serde::{Deserialize, Serialize};

use crate::codec::Tpdu;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// F41, 8 characters. Default `10000001` (the test terminal).
    pub terminal_id: String,
    /// F42, 15 characters. Default `123456789012345` (the test merchant).
    pub merchant_id: String,
    /// Merchant name printed on receipts. Default `TEST MERCHANT`.
    pub merchant_name: String,
    /// TPDU of requests; replies swap the addresses. Default `60 0003 0000`.
    pub tpdu: Tpdu,
    /// Header status digit S: 0 normal, 1 test. Default 0.
    pub header_status: u8,
    /// F49 currency code. Default `156` (CNY).
    pub currency: String,
    /// Operator number sent in F63 of sign-on. Default `001`.
    pub operator: String,
    /// 60.4 terminal capability: 5 contact IC, 6 contactless. Default 6.
    pub terminal_capability: u8,
    /// Offset of the terminal's local time from UTC, in minutes (F13 dates). Default 480 (UTC+8).
    pub utc_offset_minutes: i32,
    /// How long to wait for a reply before the outcome counts as unknown. Default 30,000 ms.
    pub response_timeout_ms: u64,
    /// Pause between reversal attempts when no other request is waiting. Default 10,000 ms.
    pub reversal_retry_interval_ms: u64,
    /// Reversal attempts before the reversal moves to the exceptions list. Default 3.
    pub reversal_max_attempts: u32,
    /// How long a chip approval waits for the card's second GENERATE AC; after that the card
    /// counts as pulled out and the approval is reversed (reason `06`). Default 30,000 ms.
    pub card_verdict_timeout_ms: u64,
    /// How long a card transaction waits for the card after asking for it (and for the PIN
    /// after asking the PIN pad): no card by then ends it, nothing sent (交易超时). Default
    /// 60,000 ms.
    pub card_entry_timeout_ms: u64,
    /// Contactless transaction limit (EMV "reader contactless transaction limit"): above it a tap
    /// is refused before anything is sent and the card must be inserted or swiped. Default
    /// 1,000,000 (10,000.00).
    pub contactless_limit: u64,
    /// Contactless CVM limit: above it a tap needs the cardholder's PIN on the PIN pad; at or
    /// below it, no PIN (小额免密). Default 100,000 (1,000.00).
    pub cvm_limit: u64,
    /// Contactless floor limit, given to the card reader for its own risk checks. The kernel
    /// approves nothing offline: every transaction goes online whatever this says. Default 0.
    pub floor_limit: u64,
    /// Largest amount of one transaction, in minor units. Default 5,000,000 (50,000.00).
    pub max_amount: u64,
    /// Largest refund, in minor units. Default 1,000,000 (10,000.00).
    pub refund_limit: u64,
    /// STAN of the first request of a brand-new terminal (empty journal). Default 1.
    pub initial_stan: u32,
    /// Batch number of a brand-new terminal before its first sign-on. Default 1.
    pub initial_batch: u32,
    /// PAN prefixes of domestic cards; other cards settle under the foreign half of F48 and
    /// upload as organisation `01`. Default `["62"]` (UnionPay).
    pub domestic_prefixes: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            terminal_id: "10000001".into(),
            merchant_id: "123456789012345".into(),
            merchant_name: "TEST MERCHANT".into(),
            tpdu: Tpdu::TERMINAL_DEFAULT,
            header_status: 0,
            currency: "156".into(),
            operator: "001".into(),
            terminal_capability: 6,
            utc_offset_minutes: 480,
            response_timeout_ms: 30_000,
            reversal_retry_interval_ms: 10_000,
            reversal_max_attempts: 3,
            card_verdict_timeout_ms: 30_000,
            card_entry_timeout_ms: 60_000,
            contactless_limit: 1_000_000,
            cvm_limit: 100_000,
            floor_limit: 0,
            max_amount: 5_000_000,
            refund_limit: 1_000_000,
            initial_stan: 1,
            initial_batch: 1,
            domestic_prefixes: vec!["62".into()],
        }
    }
}

/// A configuration value the kernel cannot work with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub field: &'static str,
    pub reason: &'static str,
}

impl core::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "invalid configuration `{}`: {}", self.field, self.reason)
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Checks every field a message will carry, so a bad configuration fails at start-up
    /// rather than in the middle of a transaction.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let err = |field, reason| Err(ConfigError { field, reason });
        let printable = |s: &str| s.bytes().all(|b| (0x20..=0x7e).contains(&b));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if self.terminal_id.len() != 8 || !printable(&self.terminal_id) {
            return err("terminal_id", "must be 8 printable ASCII characters");
        }
        if self.merchant_id.len() != 15 || !printable(&self.merchant_id) {
            return err("merchant_id", "must be 15 printable ASCII characters");
        }
        if self.currency.len() != 3 || !digits(&self.currency) {
            return err("currency", "must be a 3-digit ISO 4217 numeric code");
        }
        if self.operator.is_empty() || self.operator.len() > 20 || !printable(&self.operator) {
            return err("operator", "must be 1 to 20 printable ASCII characters");
        }
        if self.header_status > 9 {
            return err("header_status", "must be a single digit");
        }
        if self.terminal_capability > 9 {
            return err("terminal_capability", "must be a single digit");
        }
        if self.response_timeout_ms == 0 {
            return err("response_timeout_ms", "must be positive");
        }
        if self.card_verdict_timeout_ms == 0 {
            return err("card_verdict_timeout_ms", "must be positive");
        }
        if self.card_entry_timeout_ms == 0 {
            return err("card_entry_timeout_ms", "must be positive");
        }
        if self.cvm_limit > self.contactless_limit || self.floor_limit > self.contactless_limit {
            return err(
                "cvm_limit",
                "the CVM and floor limits must not exceed contactless_limit",
            );
        }
        if self.reversal_max_attempts == 0 {
            return err("reversal_max_attempts", "must be at least 1");
        }
        if self.max_amount == 0 || self.max_amount > 999_999_999_999 {
            return err("max_amount", "must be 1 to 999999999999 minor units");
        }
        if self.refund_limit > 999_999_999_999 {
            return err("refund_limit", "must be at most 999999999999 minor units");
        }
        if !(1..=999_999).contains(&self.initial_stan) {
            return err("initial_stan", "must be 1 to 999999");
        }
        if !(1..=999_999).contains(&self.initial_batch) {
            return err("initial_batch", "must be 1 to 999999");
        }
        if self
            .domestic_prefixes
            .iter()
            .any(|p| p.is_empty() || p.len() > 19 || !digits(p))
        {
            return err("domestic_prefixes", "each prefix must be 1 to 19 digits");
        }
        Ok(())
    }
}
