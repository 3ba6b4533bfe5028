//! Building requests (PROFILE.md §3). Every builder gets the STAN and batch from the caller; the
//! MAC is added last, by the terminal, through the security module.

use super::{Card, TransactionKind};
use crate::codec::{Message, Mti};
use crate::config::Config;

pub const MTI_FINANCIAL: Mti = Mti(200);
pub const MTI_REVERSAL: Mti = Mti(400);
pub const MTI_SIGN_ON: Mti = Mti(800);
pub const MTI_NETWORK: Mti = Mti(820);

/// F53 for a format-0 PIN block under a double-length key.
const SECURITY_CONTROL_PIN: &str = "2600000000000000";

/// Fields that a reversal never repeats: PIN capture, tracks, PIN block, security control, MAC.
const NOT_IN_REVERSAL: [u8; 6] = [26, 35, 36, 52, 53, 64];

fn stan6(stan: u32) -> String {
    format!("{stan:06}")
}

fn amount12(amount: u64) -> String {
    format!("{amount:012}")
}

/// F11, F41, F42: every request has them.
fn base(mti: Mti, config: &Config, stan: u32) -> Message {
    Message::new(mti)
        .with(11, stan6(stan))
        .with(41, config.terminal_id.as_bytes())
        .with(42, config.merchant_id.as_bytes())
}

/// F60 for network management: 60.1 `00`, batch, 60.3.
fn f60_network(batch: u32, management_code: &str) -> String {
    format!("00{batch:06}{management_code}")
}

/// Sign-on 0800 (60.3 `004`), with the operator in F63.
pub fn sign_on(config: &Config, stan: u32, batch: u32) -> Message {
    base(MTI_SIGN_ON, config, stan)
        .with(60, f60_network(batch, "004"))
        .with(63, config.operator.as_bytes())
}

/// Sign-off (60.3 `002`) or echo test (60.3 `301`), both 0820.
pub fn network(config: &Config, stan: u32, batch: u32, transaction: TransactionKind) -> Message {
    let code = if transaction == TransactionKind::SignOff {
        "002"
    } else {
        "301"
    };
    base(MTI_NETWORK, config, stan).with(60, f60_network(batch, code))
}

/// What makes one card request differ from another: processing code, F25, 60.1.
pub struct CardRequest<'a> {
    pub mti: Mti,
    pub processing_code: &'static str,
    pub condition_code: &'static str,
    pub type_code: &'static str,
    pub amount: Option<u64>,
    pub card: &'a Card,
    /// The encrypted PIN block, when a PIN was entered.
    pub pin_block: Option<[u8; 8]>,
}

/// A card request without its MAC: F2 3 4 11 14 22 23 25 26 35 36 41 42 49 52 53 55 60.
pub fn card_request(config: &Config, stan: u32, batch: u32, req: &CardRequest<'_>) -> Message {
    let card = req.card;
    let pin_digit = if req.pin_block.is_some() { "1" } else { "2" };
    let mut m = base(req.mti, config, stan);
    m.set(2, card.pan.as_bytes())
        .set(3, req.processing_code)
        .set(22, format!("{}{pin_digit}", card.entry.f22_prefix()))
        .set(25, req.condition_code)
        .set(49, config.currency.as_bytes());
    if let Some(amount) = req.amount {
        m.set(4, amount12(amount));
    }
    if let Some(expiry) = &card.expiry {
        m.set(14, expiry.as_bytes());
    }
    if let Some(sequence) = &card.sequence {
        m.set(23, sequence.as_bytes());
    }
    if let Some(track2) = &card.track2 {
        m.set(35, track2.as_bytes());
    }
    if let Some(track3) = &card.track3 {
        m.set(36, track3.as_bytes());
    }
    if let Some(block) = req.pin_block {
        m.set(26, "12").set(52, block.to_vec()).set(53, SECURITY_CONTROL_PIN);
    }
    if let Some(icc) = &card.icc_data {
        m.set(55, icc.clone());
    }
    let fallback = if card.fallback { "2" } else { "0" };
    m.set(
        60,
        format!("{}{batch:06}000{}{fallback}", req.type_code, config.terminal_capability),
    );
    m
}

/// The reversal body kept in the journal: the original request as MTI 0400 with the original
/// STAN, without the fields a reversal never repeats. F38, F39 (and F55 for `06`) are added when
/// it is sent.
pub fn reversal_body(request: &Message) -> Message {
    let mut reversal = request.clone();
    reversal.mti = MTI_REVERSAL;
    for field in NOT_IN_REVERSAL {
        reversal.remove(field);
    }
    reversal
}
