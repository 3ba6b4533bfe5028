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
}

impl Default for AcquirerConfig {
    /// The test TMK, acquirer id `48020000`, UTC+8 and [`test_cards`].
    fn default() -> Self {
        AcquirerConfig {
            tmk: TEST_TMK,
            acquirer_id: "48020000".to_owned(),
            utc_offset_minutes: 480,
            cards: test_cards(),
        }
    }
}
