//! The acquirer's configuration.

use pos_kernel::security::crypto::{Key, TEST_TMK};
use serde::{Deserialize, Serialize};

use crate::cards::{test_cards, TestCard};

/// What the bank is set up with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcquirerConfig {
    /// Terminal master key shared with every terminal (working keys travel under it).
    pub tmk: Key,
    /// Acquiring institution id, sent in F32.
    pub acquirer_id: String,
    /// The bank's time zone, minutes east of UTC (F12, F13, F15, card expiry).
    pub utc_offset_minutes: i32,
    /// The cards the bank knows, with their opening balances.
    pub cards: Vec<TestCard>,
    /// The merchant's fee, in basis points of each amount (60 = 0.60%), rounded half up to the
    /// minor unit; a credit gives back the fee of its amount (docs/profile.md §8).
    #[serde(default = "default_fee_rate")]
    pub fee_rate_bp: u32,
    /// The daily cut-off, `hhmmss` local: a transaction before it is on the next day's
    /// statement (T+1), one at or after it on the statement of the day after.
    #[serde(default = "default_cutoff")]
    pub statement_cutoff: String,
}

fn default_fee_rate() -> u32 {
    60
}

fn default_cutoff() -> String {
    "230000".to_owned()
}

impl Default for AcquirerConfig {
    /// The test TMK, acquirer id `48020000`, UTC+8, [`test_cards`], a fee of 0.60% and a cut-off
    /// at 23:00:00.
    fn default() -> Self {
        AcquirerConfig {
            tmk: TEST_TMK,
            acquirer_id: "48020000".to_owned(),
            utc_offset_minutes: 480,
            cards: test_cards(),
            fee_rate_bp: default_fee_rate(),
            statement_cutoff: default_cutoff(),
        }
    }
}
