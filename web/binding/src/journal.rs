//! The browser host's journal check: the same rule that refuses a journal on disk (pos-journal's
//! `Anchor::check`), for the journal the virtual terminal keeps in IndexedDB.

use pos_journal::{version_refused, Anchor, Found, Identity, RefusalReason, CLEAR_CARD_DATA_VERSION, FORMAT_VERSION};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use crate::js::{from_js, from_js_strict, string, to_js};

/// The anchor as the browser stores it (`journal_id` as 16 hex digits: a JS number cannot hold
/// 64 bits).
#[derive(Serialize, Deserialize, tsify::Tsify)]
#[serde(deny_unknown_fields)]
pub struct StoredAnchor {
    owner: String,
    journal_id: String,
    generation: u32,
    records: usize,
    note: String,
    /// The records' format (pos-journal's `FORMAT_VERSION`); absent in an anchor written before
    /// card data was sealed (format 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    format: Option<u16>,
}

#[derive(Serialize, tsify::Tsify)]
pub struct JournalRefusal {
    /// `missing`, `shorter`, `foreign`, `other_owner` or `old_format`.
    #[tsify(type = "\"missing\" | \"shorter\" | \"foreign\" | \"other_owner\" | \"old_format\"")]
    reason: &'static str,
    /// The refusal in a sentence (English).
    message: String,
}

/// Whether a journal of `records` records, found under `anchor`, may be opened by terminal
/// `owner`: `null` if so, otherwise `{ reason, message }` (nothing may be sent until the operator
/// chooses what to do).
#[wasm_bindgen(js_name = checkJournal, unchecked_return_type = "JournalRefusal | null")]
pub fn check_journal(
    #[wasm_bindgen(unchecked_param_type = "StoredAnchor")] anchor: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number")] records: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] owner: JsValue,
) -> Result<JsValue, JsError> {
    let stored: StoredAnchor = from_js_strict(anchor, "anchor")?;
    let records: usize = from_js(records, "records")?;
    let owner = string(&owner, "owner")?;
    // Records of another format are not read (format 2 kept card numbers in clear).
    let format = stored.format.unwrap_or(CLEAR_CARD_DATA_VERSION);
    if records > 0 && format != FORMAT_VERSION {
        return to_js(&JournalRefusal {
            reason: "old_format",
            message: version_refused(format),
        });
    }
    let journal_id = u64::from_str_radix(&stored.journal_id, 16)
        .map_err(|e| JsError::new(&format!("invalid anchor at `journal_id`: {e}")))?;
    let identity = Identity {
        journal_id,
        generation: stored.generation,
    };
    let anchor = Anchor {
        owner: stored.owner,
        identity,
        records: stored.records,
        note: stored.note,
    };
    // The browser's journal has no header of its own: when it holds records, they are the
    // anchor's journal's.
    let found = Found {
        identity: (records > 0).then_some(identity),
        records,
    };
    match anchor.check(&found, Some(&owner)) {
        Ok(()) => Ok(JsValue::NULL),
        Err(refusal) => to_js(&JournalRefusal {
            reason: match refusal.reason {
                RefusalReason::Missing => "missing",
                RefusalReason::Shorter => "shorter",
                RefusalReason::Foreign => "foreign",
                RefusalReason::OtherOwner { .. } => "other_owner",
            },
            message: refusal.to_string(),
        }),
    }
}
