//! Reply validation (docs/profile.md §4): a frame is an answer only if it matches the request.

use crate::codec::Message;

/// Why a frame is not an answer to the outstanding request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mismatch {
    /// Not an answer at all (wrong MTI, STAN, terminal, merchant, processing code, amount).
    NotTheAnswer(String),
    /// An approval whose MAC does not verify: treated as unanswered.
    BadMac,
}

/// F39 values that mean "approved" (`10` is a partial approval, which may lower F4).
pub fn is_approval(code: &str) -> bool {
    code == "00" || code == "10"
}

/// Checks a reply against the request it claims to answer. `financial` requests need a valid
/// F64 on an approval; `expected_mac` is the MAC the terminal computes over the reply.
pub fn validate(
    request: &Message,
    reply: &Message,
    financial: bool,
    expected_mac: impl FnOnce(&Message) -> Option<[u8; 8]>,
) -> Result<(), Mismatch> {
    let expected_mti = request.mti.response();
    if reply.mti != expected_mti {
        return Err(Mismatch::NotTheAnswer(format!(
            "expected MTI {expected_mti}, got {}",
            reply.mti
        )));
    }
    for (field, name) in [(11, "STAN (F11)"), (41, "terminal id (F41)"), (42, "merchant id (F42)")] {
        if reply.get(field) != request.get(field) {
            return Err(Mismatch::NotTheAnswer(format!("{name} differs from the request")));
        }
    }
    if request.has(3) && reply.get(3) != request.get(3) {
        return Err(Mismatch::NotTheAnswer(
            "processing code (F3) differs from the request".into(),
        ));
    }
    let code = reply.get_str(39).unwrap_or_default();
    if request.has(4) && reply.get(4) != request.get(4) && !partial_approval_ok(request, reply, code) {
        return Err(Mismatch::NotTheAnswer("amount (F4) differs from the request".into()));
    }
    if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(Mismatch::NotTheAnswer("no valid response code (F39)".into()));
    }
    if !financial {
        return Ok(());
    }
    // An approval must carry a valid MAC. A decline need not carry one (docs/profile.md §4), but when
    // it does, it must verify: a corrupted approval must not pass for a decline and clear the
    // reversal while the card was charged.
    let received = reply.get(64);
    let mac_ok = || matches!((received, expected_mac(reply)), (Some(r), Some(c)) if r == c.as_slice());
    if is_approval(code) {
        if !mac_ok() {
            return Err(Mismatch::BadMac);
        }
    } else if received.is_some() && !mac_ok() {
        return Err(Mismatch::NotTheAnswer(
            "the MAC (F64) of a decline does not verify".into(),
        ));
    }
    Ok(())
}

/// `10` may lower the amount, never raise it.
fn partial_approval_ok(request: &Message, reply: &Message, code: &str) -> bool {
    let parse = |m: &Message| m.get_str(4).and_then(|s| s.parse::<u64>().ok());
    code == "10" && matches!((parse(request), parse(reply)), (Some(asked), Some(got)) if got <= asked)
}
