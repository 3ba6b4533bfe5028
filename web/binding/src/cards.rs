//! The bank's test cards, as a card reader presents them.

use pos_acquirer_sim::cards;
use pos_acquirer_sim::reader;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::js::{string, to_js};

/// One test card for the demo's card tray.
#[derive(Serialize, tsify::Tsify)]
#[tsify(missing_as_null)]
pub struct TrayCard {
    pan: String,
    /// Masked, for display.
    masked: String,
    /// `null` for a card without PIN.
    pin: Option<String>,
    expiry: String,
    /// Opening balance, minor units.
    balance: u64,
    foreign: bool,
}

/// The acquirer's documented test cards (PAN, PIN, expiry, opening balance, foreign).
#[wasm_bindgen(js_name = testCards, unchecked_return_type = "TrayCard[]")]
pub fn test_cards() -> Result<JsValue, JsError> {
    let tray: Vec<TrayCard> = cards::test_cards()
        .into_iter()
        .chain(std::iter::once(pos_acquirer_sim::TestCard {
            pan: cards::UNKNOWN.to_owned(),
            pin: Some(cards::TEST_PIN.to_owned()),
            expiry: cards::VALID_EXPIRY.to_owned(),
            balance: 0,
            foreign: false,
        }))
        .map(|card| TrayCard {
            masked: pos_kernel::pan::mask(&card.pan),
            pan: card.pan,
            pin: card.pin,
            expiry: card.expiry,
            balance: card.balance,
            foreign: card.foreign,
        })
        .collect();
    to_js(&tray)
}

/// A card as the reader presents it: `how` is `swipe` (track 2), `insert` (chip, with the ARQC
/// data) or `tap` (contactless, no PIN). `pinEntered`: the cardholder typed a PIN on the PIN pad
/// (`Terminal.enterPin`); the PIN itself is never part of the card.
#[wasm_bindgen(js_name = presentCard, unchecked_return_type = "Card")]
pub fn present_card(
    #[wasm_bindgen(unchecked_param_type = "string")] pan: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] expiry: JsValue,
    #[wasm_bindgen(unchecked_param_type = "\"swipe\" | \"insert\" | \"tap\"")] how: JsValue,
    #[wasm_bindgen(js_name = pinEntered, unchecked_param_type = "boolean")] pin_entered: JsValue,
) -> Result<JsValue, JsError> {
    let pan = string(&pan, "pan")?;
    let expiry = string(&expiry, "expiry")?;
    let how = string(&how, "how")?;
    let pin_entered = pin_entered
        .as_bool()
        .ok_or_else(|| JsError::new("invalid pinEntered: expected true or false"))?;
    let mut card = match how.as_str() {
        "swipe" => reader::magstripe(&pan, &expiry, pin_entered),
        "insert" => reader::chip(&pan, pin_entered),
        "tap" => reader::contactless(&pan),
        other => {
            return Err(JsError::new(&format!(
                "unknown way to present a card `{other}`: swipe, insert or tap"
            )))
        }
    };
    // A tap above the CVM limit asks for a PIN too.
    card.pin_entered = pin_entered;
    to_js(&card)
}

/// What a chip card answers at the second GENERATE AC: approve (TC) or decline (AAC), with the
/// results of the issuer's scripts (DF31) when `issuer_data` (the approval's F55, hex, as
/// `card_verdict_required` gives it; empty or absent for none) carries any; hex.
#[wasm_bindgen(js_name = cardVerdictData)]
pub fn card_verdict_data(approve: bool, issuer_data: Option<String>) -> Result<String, JsError> {
    let issuer_data = hex::decode(issuer_data.unwrap_or_default())
        .map_err(|e| JsError::new(&format!("invalid `issuer_data`: not hex ({e})")))?;
    Ok(hex::encode(reader::second_generate_ac(approve, &issuer_data)))
}
