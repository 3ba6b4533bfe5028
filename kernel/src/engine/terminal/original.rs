//! Transactions that refer to an earlier one: void, completion void, refund, pre-auth cancel and
//! completion. The original is looked up in the journal; a problem with it is a local outcome and
//! nothing is sent.

use super::Terminal;
use crate::engine::batch::BatchEntry;
use crate::engine::outcome::{FailReason, OriginalProblem};
use crate::engine::{Card, Command, TransactionKind};
use crate::security::StoredCard;

/// A card request about to be built.
pub(super) struct CardSpec {
    pub kind: TransactionKind,
    pub card: Card,
    pub amount: Option<u64>,
    /// Fields referring to the original (37, 38, 61, 63).
    pub extra: Vec<(u8, Vec<u8>)>,
    pub original_stan: Option<u32>,
}

impl CardSpec {
    pub fn new(kind: TransactionKind, card: Card, amount: Option<u64>) -> CardSpec {
        CardSpec {
            kind,
            card,
            amount,
            extra: Vec::new(),
            original_stan: None,
        }
    }
}

fn problem(problem: OriginalProblem) -> FailReason {
    FailReason::Original { problem }
}

/// 61 of a void: original batch + STAN.
fn f61_batch_stan(original: &BatchEntry) -> Vec<u8> {
    format!("{:06}{:06}", original.batch, original.stan).into_bytes()
}

/// 61 of a cancel or completion: pre-auth batch + STAN + date.
fn f61_with_date(original: &BatchEntry) -> Vec<u8> {
    format!("{:06}{:06}{}", original.batch, original.stan, original.date).into_bytes()
}

impl Terminal {
    /// The request of a command that refers to an original transaction.
    pub(super) fn referencing_spec(&mut self, command: Command) -> Result<CardSpec, FailReason> {
        use TransactionKind::*;
        let kind = command.transaction();
        match command {
            Command::Void { original_stan, card } | Command::CompletionVoid { original_stan, card } => {
                let wanted = if kind == Void { Sale } else { Completion };
                let original = self.batch_original(original_stan, wanted)?.clone();
                let pan = self.reveal_pan(&original.card)?;
                let card = card.unwrap_or_else(|| Card::keyed(&pan));
                if card.pan != pan {
                    return Err(problem(OriginalProblem::OtherCard));
                }
                let original = &original;
                let extra = vec![
                    (37, original.rrn.clone().into_bytes()),
                    (38, original.auth_code.clone().into_bytes()),
                    (61, f61_batch_stan(original)),
                ];
                Ok(CardSpec {
                    kind,
                    card,
                    amount: Some(original.amount),
                    extra,
                    original_stan: Some(original_stan),
                })
            }
            Command::PreAuthCancel { original_stan, card } => {
                let original = &self.open_preauth(original_stan, &card)?;
                let extra = vec![
                    (38, original.auth_code.clone().into_bytes()),
                    (61, f61_with_date(original)),
                ];
                let amount = Some(original.amount);
                Ok(CardSpec {
                    kind,
                    card,
                    amount,
                    extra,
                    original_stan: Some(original_stan),
                })
            }
            Command::Completion {
                original_stan,
                amount,
                card,
            } => {
                let original = &self.open_preauth(original_stan, &card)?;
                // Up to 115% of the pre-authorized amount (docs/architecture.md, rule 7).
                if u128::from(amount) * 100 > u128::from(original.amount) * 115 {
                    return Err(problem(OriginalProblem::AmountTooHigh));
                }
                let extra = vec![
                    (38, original.auth_code.clone().into_bytes()),
                    (61, f61_with_date(original)),
                ];
                Ok(CardSpec {
                    kind,
                    card,
                    amount: Some(amount),
                    extra,
                    original_stan: Some(original_stan),
                })
            }
            Command::CompletionAdvice {
                original_stan,
                amount,
                auth_code,
            } => {
                self.open_preauth_before_card(original_stan, Some(amount))?;
                let original = self
                    .state
                    .preauths
                    .iter()
                    .rev()
                    .find(|e| e.stan == original_stan)
                    .cloned();
                let original = original.ok_or(problem(OriginalProblem::NotFound))?;
                // Keyed with the pre-authorization's card: an offline completion has no card.
                let card = Card::keyed(&self.reveal_pan(&original.card)?);
                let auth_code = auth_code.unwrap_or_else(|| original.auth_code.clone());
                let extra = vec![(38, auth_code.into_bytes()), (61, f61_with_date(&original))];
                Ok(CardSpec {
                    kind,
                    card,
                    amount: Some(amount),
                    extra,
                    original_stan: Some(original_stan),
                })
            }
            Command::Refund {
                amount,
                card,
                original_rrn,
                original_date,
            } => {
                // The original may be from another terminal or day; when this terminal knows it,
                // the refund may not exceed it.
                let known = self
                    .state
                    .entries
                    .iter()
                    .find(|e| e.rrn == original_rrn && e.transaction.is_debit());
                if known.is_some_and(|original| amount > original.amount) {
                    return Err(problem(OriginalProblem::AmountTooHigh));
                }
                let extra = vec![
                    (37, original_rrn.into_bytes()),
                    (61, format!("000000000000{original_date}").into_bytes()),
                    (63, b"CUP".to_vec()),
                ];
                Ok(CardSpec {
                    kind,
                    card,
                    amount: Some(amount),
                    extra,
                    original_stan: None,
                })
            }
            _ => Err(FailReason::Internal {
                detail: format!("{kind:?} does not refer to an original transaction"),
            }),
        }
    }

    /// An approved, not yet voided `wanted` transaction of the current batch.
    pub(super) fn batch_original(&self, stan: u32, wanted: TransactionKind) -> Result<&BatchEntry, FailReason> {
        let Some(original) = self.state.entries.iter().find(|e| e.stan == stan) else {
            let settled = self
                .state
                .previous_batch
                .as_ref()
                .is_some_and(|b| b.stans.contains(&stan));
            return Err(problem(if settled {
                OriginalProblem::PreviousBatch
            } else {
                OriginalProblem::NotFound
            }));
        };
        if original.transaction != wanted {
            return Err(problem(OriginalProblem::WrongType));
        }
        if original.closed_by.is_some() {
            return Err(problem(OriginalProblem::AlreadyClosed));
        }
        Ok(original)
    }

    /// Before the card is read: an approved pre-authorization, not yet cancelled or completed,
    /// that a completion of `amount` may complete.
    pub(super) fn open_preauth_before_card(&self, stan: u32, amount: Option<u64>) -> Result<(), FailReason> {
        let Some(original) = self.state.preauths.iter().rev().find(|e| e.stan == stan) else {
            return Err(problem(OriginalProblem::NotFound));
        };
        if original.closed_by.is_some() {
            return Err(problem(OriginalProblem::AlreadyClosed));
        }
        match amount {
            Some(amount) if u128::from(amount) * 100 > u128::from(original.amount) * 115 => {
                Err(problem(OriginalProblem::AmountTooHigh))
            }
            _ => Ok(()),
        }
    }

    /// An approved pre-authorization, not yet cancelled or completed, of this card.
    fn open_preauth(&mut self, stan: u32, card: &Card) -> Result<BatchEntry, FailReason> {
        let original = self.state.preauths.iter().rev().find(|e| e.stan == stan).cloned();
        let Some(original) = original else {
            return Err(problem(OriginalProblem::NotFound));
        };
        if original.closed_by.is_some() {
            return Err(problem(OriginalProblem::AlreadyClosed));
        }
        if self.reveal_pan(&original.card)? != card.pan {
            return Err(problem(OriginalProblem::OtherCard));
        }
        Ok(original)
    }

    /// The clear PAN of a journaled card, to compare or key in.
    fn reveal_pan(&mut self, card: &StoredCard) -> Result<String, FailReason> {
        card.reveal(self.security.as_mut())
            .map(|clear| clear.pan)
            .map_err(|e| super::security_failure(&e))
    }
}
