//! A simulated acquirer (bank) for the `cup-pos` profile (docs/profile.md), sans-IO.
//!
//! The bank holds test cards with balances, approves or declines by the documented rules below,
//! issues RRNs and authorization codes, applies voids, refunds, pre-authorizations and
//! reversals to its [`Ledger`], de-duplicates retransmissions, computes settlement totals, and
//! injects [`Fault`]s on command. It contains no networking code, reads no clock and uses no
//! randomness: every call carries `now_ms` (milliseconds since the Unix epoch, UTC), and the
//! same frames at the same times give byte-identical replies.
//!
//! # Run loop
//!
//! 1. Read one whole frame from the terminal (2-byte length prefix included).
//! 2. Call [`Acquirer::handle_frame`]`(now_ms, &frame)`.
//! 3. Carry out the returned [`AcquirerOutput`]s in order: send a `Reply` now, send a
//!    `LateReply` only after the terminal's reply timeout, `Close` the connection.
//!
//! Faults are queued with [`Acquirer::inject`] and apply first in, first out, one per reply.
//!
//! # Messages
//!
//! Requests are classified by MTI, F3 and 60.1 (60.3 for network management); any other
//! combination of a decodable frame is answered `30`. A frame that does not decode is not
//! answered at all and counts in [`Acquirer::rejected`].
//!
//! | request | MTI | F3 | 60.1 / 60.3 | effect |
//! |---|---|---|---|---|
//! | sign-on | 0800 | – | 60.3 `004` | new working keys (F62 under the TMK, with check values); batch from 60.2 |
//! | echo test | 0820 | – | 60.3 `301` | none |
//! | sign-off | 0820 | – | 60.3 `002` | the terminal's keys are discarded |
//! | balance inquiry | 0200 | 310000 | `01` | F54 = `10` `02` currency `C` balance n12 (e.g. `1002156C000000123456`) |
//! | sale | 0200 | 000000 | `22` | debits the card |
//! | sale void | 0200 | 200000 | `23` | credits the sale (F61 batch + STAN, F37 its RRN) back |
//! | refund | 0220 | 200000 | `25` | credits part of a sale or completion (F37 its RRN, 61.3 its date) |
//! | pre-authorization | 0100 | 030000 | `10` | holds the amount |
//! | pre-auth cancel | 0100 | 200000 | `11` | releases the hold (F61 batch + STAN + date, F38 its auth code) |
//! | completion | 0200 | 000000 | `20` | releases the hold, debits the completion (≤ 115% of the pre-auth) |
//! | completion void | 0200 | 200000 | `21` | credits the completion (F61 batch + STAN) back; the hold is not restored |
//! | reversal | 0400 | original | original | undoes the original (see below) |
//! | settlement | 0500 | – | 60.3 `201` | compares F48 totals with the bank's |
//! | batch upload | 0320 | – | 60.3 `201` | records the F48 entries ([`Acquirer::uploaded`]) |
//! | batch upload end | 0320 | – | 60.3 `202` / `207` | closes the batch ([`Acquirer::batch_closed`]) |
//!
//! Replies: MTI + 10, TPDU addresses swapped, header `60 31 S 0 31 00 00` (S echoed,
//! requirement 0 unless stated). They echo F2 F3 F4 F11 F41 F42 F49 F60 where the request had
//! them and add F12/F13 (the bank's local time and date), F32 (acquirer id) and F39. Financial
//! replies (0110 0210 0230 0410) add F15 (settlement date = local date), F37 (a new RRN, 12
//! digits counting up from `000000000001`) and, when approved, F38 (a new 6-digit
//! authorization code); every financial reply to an authenticated request carries F64 (CUP MAC
//! with the terminal's current MAK). 0810 adds F62; 0510 adds F48. Replies to sign-on, echo,
//! sign-off, settlement and batch upload carry no F64.
//!
//! # Decision rules
//!
//! Financial requests (0100, 0200, 0220, 0400) are checked in this order; the first rule that
//! applies gives F39:
//!
//! | # | rule | F39 |
//! |---|---|---|
//! | 1 | F11, F41, F60 or F3 missing, F4 missing (except balance inquiry), no PAN (F2 or track 2), MTI/F3/60.1 not in the table; for a reversal: F11, F41 or F3 missing, or F3/60.1 of no reversible type | `30` |
//! | 2 | terminal not signed on (never, or signed off); the reply header asks to sign on again (requirement 3) | `A0` |
//! | 3 | F64 missing or not the CUP MAC of the request under the terminal's MAK | `A0` |
//! | 4 | same (batch 60.2, STAN, MTI) answered before with the same F2 F3 F4 F60 | the same reply again, no second effect |
//! | 5 | same (batch, STAN, MTI) answered before with different F2/F3/F4/F60 | `94` (not remembered) |
//! | 6 | unknown or Luhn-invalid PAN | `14` |
//! | 7 | card expired: the bank's record of the expiry `YYMM` (20YY; F14 is not consulted) is before the bank's local year and month | `54` |
//! | 8 | F52 present but does not decrypt (PIK) and decode to a format-0 PIN block | `99` |
//! | 8 | F52 PIN differs from the card's, or F52 sent for a card without PIN, or F52 missing for a card with a PIN in a sale, balance inquiry or pre-auth | `55` |
//! | 9 | sale, pre-auth, completion, refund: amount ending (last two minor-unit digits) in `51` / `05` / `61` / `91` / `96` | that code |
//! | 9 | … ending in `12` with an amount of at least 1.00 | `12` |
//! | 10 | void, completion void: original (this terminal, this card, F61 batch + STAN, F37 RRN if sent) not found or reversed | `25` |
//! | 10 | … original in another batch than the void's 60.2, already voided, or partly refunded | `12` |
//! | 10 | … amount differs from the original's | `64` |
//! | 10 | refund: no sale or completion with RRN F37 on this card (any terminal), reversed, or 61.3 ≠ its date (`0000` matches any) | `25` |
//! | 10 | … original voided | `12` |
//! | 10 | … amount above the original minus earlier refunds | `13` |
//! | 10 | pre-auth cancel, completion: no pre-auth on this card with F61 batch + STAN (+ date unless `0000`) and auth code F38 (if sent), or reversed | `25` |
//! | 10 | … pre-auth already cancelled or completed | `12` |
//! | 10 | cancel: amount ≠ pre-auth amount | `64` |
//! | 10 | completion: amount above 115% of the pre-auth | `13` |
//! | 11 | sale, pre-auth: balance below the amount; completion: balance + hold below the amount | `51` |
//! | 12 | otherwise | `00` |
//!
//! Reversals go through rules 1 to 5 and then the reversal table below (no card, PIN or amount
//! checks). Only authenticated requests (rules 2 and 3 passed) are remembered for
//! de-duplication and reversal look-up, so a request answered `A0` has had no effect and may be
//! sent again.
//!
//! ## Reversals (0400)
//!
//! The original is the newest authenticated request of the same terminal with the reversal's
//! STAN, batch (60.2, if F60 is present), an MTI of 0100/0200/0220, the same F3 and the same
//! 60.1. F39 of the reversal (the reason: `98`, `A0`, `06`) is not checked.
//!
//! | original | F39 | effect |
//! |---|---|---|
//! | never received (or answered `A0`) | `25` | none |
//! | declined, or a balance inquiry | `00` | none |
//! | approved | `00` | undone: a sale or completion credits what is not yet voided or refunded (a completion also restores its pre-auth's hold); a pre-auth releases its hold; a void, completion void or cancel re-debits (re-holds) its original and marks it not voided/cancelled |
//! | already reversed | `00` | none |
//! | a refund | `12` | none (refunds are not reversible) |
//!
//! A reversal is itself de-duplicated (same batch, STAN, MTI 0400) and never reversed.
//!
//! ## Settlement
//!
//! For the terminal (F41) and batch (60.2), debit = sales and completions (voided ones
//! included), credit = voids, refunds and completion voids, reversed entries excluded,
//! separately for domestic and foreign cards. The 0510 echoes the terminal's 62 F48 digits with
//! digit 31 (domestic) and 62 (foreign) set to `1` (balanced: the 30 digits equal the bank's) or
//! `2` (unbalanced); both are `3` when the batch was already closed by a batch-upload end.
//! Settlement and batch upload do not require sign-on.
//!
//! # Test cards
//!
//! All expire 3012 (December 2030) unless stated; the PIN is [`cards::TEST_PIN`] (`123456`).
//!
//! | constant | PAN | kind | PIN | balance | notes |
//! |---|---|---|---|---|---|
//! | [`cards::MAGSTRIPE_DEBIT`] | 6222020000000007 | magstripe debit | 123456 | 1,000,000.00 | |
//! | [`cards::CHIP_DEBIT`] | 6217000000000000012 | chip debit (19 digits) | 123456 | 50,000.00 | |
//! | [`cards::CONTACTLESS`] | 6225880000000001 | contactless credit | none | 20,000.00 | |
//! | [`cards::SMALL_BALANCE`] | 6222020000000056 | debit | 123456 | 50.00 | sales above 50.00 → `51` |
//! | [`cards::EXPIRED`] | 6222020000000080 | debit, expiry 2001 | 123456 | 10,000.00 | → `54` |
//! | [`cards::FOREIGN`] | 4761739001010010 | foreign (Visa) | none | 100,000.00 | settles as foreign |
//! | [`cards::UNKNOWN`] | 6222999999999990 | not issued | – | – | Luhn-valid, → `14` |
//!
//! # Faults
//!
//! The request is always processed (ledger updated) first; the fault changes only what the
//! terminal gets. See [`Fault`] (CLI names in parentheses):
//! `DropReply` (`drop-reply`) nothing; `DelayReply` (`delay-reply`) a `LateReply`; `BadMac`
//! (`bad-mac`) a wrong F64; `WrongStan` (`wrong-stan`), `WrongTerminalId` (`wrong-tid`),
//! `WrongAmount` (`wrong-amount`), `WrongMti` (`wrong-mti`: the request's own MTI) that field
//! altered with the MAC recomputed; `AnswerTwice` (`answer-twice`) the reply twice; `Garbage`
//! (`garbage`) [`faults::GARBAGE`] instead of the reply; `Close` (`close`) only `Close`;
//! `SignOnAgainHeader` (`sign-on-again`) header requirement 3.
//!
//! A wrong key check value in a sign-on reply is not a queued fault but a one-shot switch:
//! [`Acquirer::corrupt_next_sign_on_check_value`].
//!
//! # Working keys
//!
//! Each sign-on issues three fresh keys derived from a sign-on counter (3DES under a fixed
//! generator key, odd parity), so runs are reproducible; they are sent encrypted under the
//! configured TMK with their check values.

mod acquirer;
pub mod cards;
mod clock;
pub mod codes;
mod config;
pub mod faults;
mod fields;
mod keys;
pub mod ledger;
pub mod reader;
pub mod rules;
pub mod statement;
mod terminal;

pub use acquirer::{test_aids, test_ca_keys, Acquirer, AcquirerOutput, ChipUpload, Management, UploadEntry, PAGE};
pub use cards::TestCard;
pub use config::AcquirerConfig;
pub use faults::{Fault, UnknownFault};
pub use ledger::{EntryFlags, Ledger, LedgerEntry, LedgerKind};
pub use statement::StatementFault;
