//! Building requests (docs/profile.md §3). Every builder gets the STAN and batch from the caller; the
//! MAC is added last, by the terminal, through the security module.

use super::batch::{BatchEntry, ChipEvidence};
use super::kinds::Shape;
use super::{Card, TransactionKind};
use crate::codec::{tlv, Message, Mti};
use crate::config::Config;
use crate::digits;
use crate::security::ClearCard;

/// F53 for a format-0 PIN block under a double-length key.
const SECURITY_CONTROL_PIN: &str = "2600000000000000";

/// Fields that a reversal never repeats: PIN capture, tracks, PIN block, security control, MAC.
const NOT_IN_REVERSAL: [u8; 6] = [26, 35, 36, 52, 53, 64];

fn stan6(stan: u32) -> String {
    digits::padded(u64::from(stan), 6)
}

fn amount12(amount: u64) -> String {
    digits::padded(amount, 12)
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
    let mut f60 = String::from("00");
    digits::push_padded(&mut f60, u64::from(batch), 6);
    f60.push_str(management_code);
    f60
}

/// Sign-on 0800 (60.3 `004`), with the operator in F63.
pub fn sign_on(config: &Config, stan: u32, batch: u32) -> Message {
    base(Mti::SIGN_ON, config, stan)
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
    base(Mti::NETWORK, config, stan).with(60, f60_network(batch, code))
}

pub struct CardRequest<'a> {
    pub shape: Shape,
    pub amount: Option<u64>,
    pub card: &'a Card,
    /// The encrypted PIN block, when a PIN was entered.
    pub pin_block: Option<[u8; 8]>,
    /// Fields that refer to an original transaction (37, 38, 61, 63).
    pub extra: &'a [(u8, Vec<u8>)],
}

/// A card request without its MAC: F2 3 4 11 14 22 23 25 26 35 36 41 42 49 52 53 55 60, and
/// the extra fields. Set in ascending field order, so that each value is appended to the
/// message's buffer rather than inserted into it.
pub fn card_request(config: &Config, stan: u32, batch: u32, req: &CardRequest<'_>) -> Message {
    let card = req.card;
    let shape = req.shape;
    let pin_digit = if req.pin_block.is_some() { "1" } else { "2" };
    // The values a request may hold besides the variable ones: under 128 bytes.
    let variable = [
        card.track3.as_ref().map(String::len),
        card.icc_data.as_ref().map(Vec::len),
    ];
    let extra: usize = req.extra.iter().map(|(_, value)| value.len()).sum();
    let capacity = 128 + variable.into_iter().flatten().sum::<usize>() + extra;
    let mut m = Message::with_capacity(shape.mti, capacity);
    let extras_below = |m: &mut Message, below: u8, done: u8| {
        for (field, value) in req.extra.iter().filter(|(f, _)| *f > done && *f < below) {
            m.set(*field, value);
        }
    };
    m.set(2, card.pan.as_bytes()).set(3, shape.processing_code);
    if let Some(amount) = req.amount {
        m.set(4, amount12(amount));
    }
    m.set(11, stan6(stan));
    if let Some(expiry) = &card.expiry {
        m.set(14, expiry.as_bytes());
    }
    m.set(22, [card.entry.f22_prefix(), pin_digit].concat());
    if let Some(sequence) = &card.sequence {
        m.set(23, sequence.as_bytes());
    }
    m.set(25, shape.condition_code);
    if req.pin_block.is_some() {
        m.set(26, "12");
    }
    if let Some(track2) = &card.track2 {
        m.set(35, track2.as_bytes());
    }
    if let Some(track3) = &card.track3 {
        m.set(36, track3.as_bytes());
    }
    extras_below(&mut m, 41, 0);
    m.set(41, config.terminal_id.as_bytes())
        .set(42, config.merchant_id.as_bytes())
        .set(49, config.currency.as_bytes());
    if let Some(block) = req.pin_block {
        m.set(52, block).set(53, SECURITY_CONTROL_PIN);
    }
    // A refund carries no chip data (docs/profile.md §3: "as sale without 52/55").
    if let Some(icc) = card.icc_data.as_ref().filter(|_| shape.mti != Mti::REFUND) {
        m.set(55, icc);
    }
    extras_below(&mut m, 60, 40);
    let fallback = if card.fallback { "2" } else { "0" };
    let mut f60 = String::from(shape.type_code);
    digits::push_padded(&mut f60, u64::from(batch), 6);
    f60.push_str("000");
    digits::push_padded(&mut f60, u64::from(config.terminal_capability), 1);
    f60.push_str(fallback);
    m.set(60, f60);
    extras_below(&mut m, u8::MAX, 60);
    m
}

/// The reversal body kept in the journal: the original request as MTI 0400 with the original
/// STAN, without the fields a reversal never repeats, and without the card (F2, F14: the journal
/// keeps them sealed beside it). The card ([`with_card`]), F38, F39 (and F55 for `06`) are added
/// when it is sent.
pub fn reversal_body(request: &Message) -> Message {
    let mut reversal = Message::with_capacity(Mti::REVERSAL, request.values_len());
    for (field, value) in request.fields() {
        if NOT_IN_REVERSAL.contains(&field) || field == 2 || field == 14 {
            continue;
        }
        if field == 55 {
            // The journal keeps the body: the chip data without the card data it may carry
            // (rule 15).
            let kept = tlv::without(value, &tlv::CARD_DATA_TAGS);
            if !kept.is_empty() {
                reversal.set(55, kept);
            }
            continue;
        }
        reversal.set(field, value);
    }
    reversal
}

/// What a pending refund resends: the request without the card (F2, F14: the journal keeps them
/// sealed beside it), track data and MAC.
pub fn resend_body(request: &Message) -> Message {
    let mut resend = Message::with_capacity(request.mti, request.values_len());
    for (field, value) in request
        .fields()
        .filter(|(field, _)| ![2, 14, 35, 36, 64].contains(field))
    {
        resend.set(field, value);
    }
    resend
}

/// A journaled body with its card put back: F2, and F14 when the card had an expiry.
pub fn with_card(body: &Message, card: &ClearCard) -> Message {
    let mut message = body.clone();
    message.set(2, card.pan.as_bytes());
    if let Some(expiry) = &card.expiry {
        message.set(14, expiry.as_bytes());
    }
    message
}

/// Settlement 0500: F48 totals, F49, F60 (60.3 `201`), F63 operator.
pub fn settlement(config: &Config, stan: u32, batch: u32, f48: String) -> Message {
    base(Mti::SETTLEMENT, config, stan)
        .with(48, f48)
        .with(49, config.currency.as_bytes())
        .with(60, f60_network(batch, "201"))
        .with(63, config.operator.as_bytes())
}

/// Batch upload 0320: an upload chunk (60.3 `201`) or the end (`202` / `207`, F48 = total count n4).
pub fn batch_upload(config: &Config, stan: u32, batch: u32, management_code: &str, f48: String) -> Message {
    base(Mti::BATCH_UPLOAD, config, stan)
        .with(48, f48)
        .with(60, f60_network(batch, management_code))
}

/// F61 of a message about an approved original: its batch + STAN + date `MMDD`.
fn f61_original(entry: &BatchEntry) -> String {
    format!("{:06}{:06}{}", entry.batch, entry.stan, entry.date)
}

/// The fields a chip upload and a script result advice share (docs/profile.md §7): the card
/// number, F3 F4 F22 F23 F25 F49 F55 as the original had them, F60 and F61 (original batch +
/// STAN + date).
fn about_chip_original(
    mti: Mti,
    config: &Config,
    stan: u32,
    batch: u32,
    management_code: &str,
    entry: &BatchEntry,
    evidence: &ChipEvidence,
) -> Message {
    let shape = entry.transaction.card_shape();
    let mut m = base(mti, config, stan);
    m.set(3, shape.map_or("000000", |s| s.processing_code))
        .set(4, amount12(entry.amount))
        .set(22, evidence.pos_entry.as_bytes())
        .set(25, shape.map_or("00", |s| s.condition_code))
        .set(49, config.currency.as_bytes())
        .set(55, &evidence.icc)
        .set(60, f60_network(batch, management_code))
        .set(61, f61_original(entry));
    if let Some(sequence) = &evidence.sequence {
        m.set(23, sequence.as_bytes());
    }
    m
}

/// A TC upload (60.3 `203`/`205`) or IC failure upload (`204`/`206`), 0320 without F64; the
/// caller adds the card (F2). F3 `000000` and F25 `00` whatever the original (§7).
pub fn chip_upload(
    config: &Config,
    stan: u32,
    batch: u32,
    management_code: &str,
    entry: &BatchEntry,
    evidence: &ChipEvidence,
) -> Message {
    let mut m = about_chip_original(Mti::BATCH_UPLOAD, config, stan, batch, management_code, entry, evidence);
    m.set(3, "000000").set(25, "00");
    m
}

/// A script result advice body (0620, 60.1 `00`, 60.3 `951`): without the card (F2, kept sealed
/// beside it) and MAC, both added when it is sent.
pub fn script_advice(config: &Config, stan: u32, batch: u32, entry: &BatchEntry, evidence: &ChipEvidence) -> Message {
    let mut m = about_chip_original(Mti::SCRIPT_ADVICE, config, stan, batch, "951", entry, evidence);
    m.set(37, entry.rrn.as_bytes());
    if !entry.auth_code.is_empty() {
        m.set(38, entry.auth_code.as_bytes());
    }
    m
}

/// A management request (docs/profile.md §7): 0800 or 0820 with F60 (60.1 `00`, batch, 60.3
/// `management_code`) and F62 when it has one; the MAC is added by the terminal.
pub fn management(
    config: &Config,
    stan: u32,
    batch: u32,
    mti: Mti,
    management_code: &str,
    f62: Option<Vec<u8>>,
) -> Message {
    let mut m = base(mti, config, stan).with(60, f60_network(batch, management_code));
    if let Some(f62) = f62 {
        m.set(62, f62);
    }
    m
}
