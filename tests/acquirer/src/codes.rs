//! Response codes (F39) the acquirer sends. See the crate docs for when each is used.

/// Approved.
pub const APPROVED: &str = "00";
/// Do not honour (forced by amount suffix `05`).
pub const DO_NOT_HONOUR: &str = "05";
/// Invalid transaction: original already voided, cancelled, completed or refunded; void
/// across batches; reversal of a refund; amount suffix `12`.
pub const INVALID_TRANSACTION: &str = "12";
/// Invalid amount: refund above what is left of the original, completion above 115%.
pub const INVALID_AMOUNT: &str = "13";
/// Unknown card number.
pub const UNKNOWN_CARD: &str = "14";
/// Original transaction not found.
pub const ORIGINAL_NOT_FOUND: &str = "25";
/// Format error: undefined MTI, processing code or network code, or a missing/malformed field.
pub const FORMAT_ERROR: &str = "30";
/// Insufficient funds (or amount suffix `51`).
pub const INSUFFICIENT_FUNDS: &str = "51";
/// Expired card.
pub const EXPIRED_CARD: &str = "54";
/// Incorrect PIN (also: PIN missing for a card that needs one, PIN sent for a card without one).
pub const WRONG_PIN: &str = "55";
/// Exceeds withdrawal amount limit (amount suffix `61`).
pub const OVER_LIMIT: &str = "61";
/// Original amount incorrect (void or cancel amount differs from the original).
pub const ORIGINAL_AMOUNT_INCORRECT: &str = "64";
/// Issuer unavailable (amount suffix `91`).
pub const ISSUER_UNAVAILABLE: &str = "91";
/// Reconcile error: a batch closed without the TC upload of a chip charge.
pub const RECONCILE_ERROR: &str = "95";
/// Duplicate transmission: a known (batch, STAN, MTI) arrived with different content.
pub const DUPLICATE_TRANSMISSION: &str = "94";
/// System malfunction (amount suffix `96`).
pub const SYSTEM_MALFUNCTION: &str = "96";
/// PIN block does not decode (format error); sign on again.
pub const PIN_FORMAT_ERROR: &str = "99";
/// MAC or key error: not signed on, MAC missing or wrong; sign on again.
pub const MAC_ERROR: &str = "A0";
