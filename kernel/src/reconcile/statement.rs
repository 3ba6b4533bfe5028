//! The acquirer's daily statement (对账文件, docs/profile.md §8): read strictly, written exactly.
//!
//! A statement is accepted whole or refused: [`Statement::parse`] checks every line, every field,
//! the sums of the trailer and that no entry appears twice, and the first problem it finds is the
//! error, with its line and column. Nothing of a refused statement is used.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::hash::FastMap;
use crate::engine::TransactionKind;
use crate::time::CivilDate;

/// What the acquirer says happened to an entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    /// `N`: settled normally, credited.
    Normal,
    /// `R`: the acquirer applied a reversal; nothing is credited.
    Reversed,
    /// `E`: an error item (差错): disputed, held or adjusted by the acquirer.
    Error,
    /// `L`: approved by the acquirer after the terminal's timeout, and not reversed.
    Late,
}

impl EntryStatus {
    pub fn code(self) -> char {
        match self {
            EntryStatus::Normal => 'N',
            EntryStatus::Reversed => 'R',
            EntryStatus::Error => 'E',
            EntryStatus::Late => 'L',
        }
    }

    fn parse(text: &str) -> Option<EntryStatus> {
        Some(match text {
            "N" => EntryStatus::Normal,
            "R" => EntryStatus::Reversed,
            "E" => EntryStatus::Error,
            "L" => EntryStatus::Late,
            _ => return None,
        })
    }
}

/// One `D` line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct StatementEntry {
    /// The line it was read from (1-based; 0 for an entry not read from a file).
    pub line: u32,
    pub terminal_id: String,
    pub batch: u32,
    pub stan: u32,
    /// The acquirer's local date of the transaction, `MMDD`.
    pub date: String,
    /// The acquirer's local time of the transaction, `hhmmss`.
    pub time: String,
    /// First 6 and last 4 digits of the PAN.
    pub card: String,
    pub transaction: TransactionKind,
    /// Minor units.
    pub amount: u64,
    pub fee: u64,
    /// What the merchant is credited (negative for credits), minor units.
    pub net: i64,
    pub rrn: String,
    pub auth_code: String,
    pub status: EntryStatus,
}

impl StatementEntry {
    /// The net that docs/profile.md §8 requires of a `N` or `L` entry: amount − fee for debits,
    /// −(amount − fee) for credits.
    pub fn settled_net(transaction: TransactionKind, amount: u64, fee: u64) -> i64 {
        let net = i64::try_from(amount.saturating_sub(fee)).unwrap_or(i64::MAX);
        if transaction.is_credit() {
            -net
        } else {
            net
        }
    }

    /// The `D` line, without its newline.
    pub fn line(&self) -> String {
        format!(
            "D|{}|{:06}|{:06}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}",
            self.terminal_id,
            self.batch,
            self.stan,
            self.date,
            self.time,
            self.card,
            type_code(self.transaction),
            self.amount,
            self.fee,
            self.net,
            self.rrn,
            self.auth_code,
            self.status.code()
        )
    }
}

/// One statement file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Statement {
    /// The settlement date of the header.
    pub date: CivilDate,
    pub acquirer_id: String,
    pub merchant_id: String,
    pub entries: Vec<StatementEntry>,
}

/// The `T` line's figures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Trailer {
    pub count: u64,
    pub debits: u64,
    pub credits: u64,
    pub net: i64,
}

/// Why a statement was refused: where, which field, what was expected.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct StatementError {
    /// 1-based line (0: the file as a whole).
    pub line: u32,
    /// 1-based column of the field (in characters), when one field is at fault.
    pub column: Option<u32>,
    /// The field at fault (`amount`, `trailer count`, ...).
    pub field: String,
    pub problem: String,
}

impl fmt::Display for StatementError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (0, _) => write!(f, "statement: {}: {}", self.field, self.problem),
            (line, Some(column)) => write!(
                f,
                "statement line {line}, column {column} ({}): {}",
                self.field, self.problem
            ),
            (line, None) => write!(f, "statement line {line} ({}): {}", self.field, self.problem),
        }
    }
}

impl std::error::Error for StatementError {}

/// The 60.1 type code of a kind on a statement.
pub fn type_code(kind: TransactionKind) -> &'static str {
    kind.card_shape().map_or("??", |shape| shape.type_code)
}

/// The kinds a statement lists: those that move money (debits and credits).
pub fn statement_kind(code: &str) -> Option<TransactionKind> {
    crate::engine::KINDS
        .iter()
        .filter(|info| info.side.is_some())
        .find(|info| info.shape.is_some_and(|s| s.type_code == code))
        .map(|info| info.kind)
}

/// The fields of one line with their 1-based starting columns.
/// The most fields a line is split into: more than any line has, so a line with too many is
/// still counted as such.
const MAX_FIELDS: usize = 16;

struct Fields<'a> {
    line: u32,
    /// The fields (at most `MAX_FIELDS`; `count` says how many the line had).
    fields: [&'a str; MAX_FIELDS],
    count: usize,
}

impl<'a> Fields<'a> {
    /// No allocation: a statement has millions of lines.
    fn split(line: u32, text: &'a str) -> Fields<'a> {
        let mut fields = [""; MAX_FIELDS];
        let mut count = 0;
        for field in text.split('|') {
            if let Some(slot) = fields.get_mut(count) {
                *slot = field;
            }
            count += 1;
        }
        Fields { line, fields, count }
    }

    /// The 1-based column (in characters) where field `index` starts: computed only for an error.
    fn column(&self, index: usize) -> Option<u32> {
        if index >= self.count.min(MAX_FIELDS) {
            return None;
        }
        let before: usize = self.fields.iter().take(index).map(|f| f.chars().count() + 1).sum();
        u32::try_from(before + 1).ok()
    }

    fn error(&self, index: usize, field: &str, problem: String) -> StatementError {
        StatementError {
            line: self.line,
            column: self.column(index),
            field: field.to_owned(),
            problem,
        }
    }

    fn expect_count(&self, what: &str, names: &[&str]) -> Result<(), StatementError> {
        if self.count == names.len() {
            return Ok(());
        }
        Err(StatementError {
            line: self.line,
            column: None,
            field: what.to_owned(),
            problem: format!(
                "expected {} fields separated by `|` ({}), found {}",
                names.len(),
                names.join(", "),
                self.count
            ),
        })
    }

    fn text(&self, index: usize) -> &'a str {
        self.fields.get(index).copied().unwrap_or("")
    }

    /// Exactly `len` digits.
    fn digits(&self, index: usize, field: &str, len: usize) -> Result<u32, StatementError> {
        let text = self.text(index);
        if text.len() != len || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(self.error(index, field, format!("expected {len} digits, found `{text}`")));
        }
        text.parse()
            .map_err(|_| self.error(index, field, format!("expected {len} digits, found `{text}`")))
    }

    /// Minor units: 1 to 12 digits.
    fn amount(&self, index: usize, field: &str) -> Result<u64, StatementError> {
        let text = self.text(index);
        if text.is_empty() || text.len() > 12 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(self.error(
                index,
                field,
                format!("expected an amount in minor units (1 to 12 digits, no sign or point), found `{text}`"),
            ));
        }
        text.parse()
            .map_err(|_| self.error(index, field, format!("expected an amount, found `{text}`")))
    }

    /// Signed minor units: an optional `-` and 1 to 13 digits.
    fn signed(&self, index: usize, field: &str) -> Result<i64, StatementError> {
        let text = self.text(index);
        let digits = text.strip_prefix('-').unwrap_or(text);
        if digits.is_empty() || digits.len() > 13 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(self.error(
                index,
                field,
                format!("expected a signed amount in minor units (`-` then digits for credits), found `{text}`"),
            ));
        }
        text.parse()
            .map_err(|_| self.error(index, field, format!("expected a signed amount, found `{text}`")))
    }
}

const HEADER: [&str; 5] = ["H", "settlement date", "acquirer id", "merchant id", "format version"];
const ENTRY: [&str; 14] = [
    "D",
    "terminal id",
    "batch",
    "STAN",
    "date",
    "time",
    "card",
    "type",
    "amount",
    "fee",
    "net",
    "RRN",
    "auth code",
    "status",
];
const TRAILER: [&str; 5] = ["T", "entry count", "debits", "credits", "net"];

impl Statement {
    /// Reads a statement, all or nothing. `merchant_id` is the terminal's: a statement of another
    /// merchant is refused.
    pub fn parse(text: &str, merchant_id: &str) -> Result<Statement, StatementError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut lines = text.split('\n').enumerate().map(|(i, l)| {
            (
                u32::try_from(i).unwrap_or(u32::MAX).saturating_add(1),
                l.strip_suffix('\r').unwrap_or(l),
            )
        });
        let Some((_, first)) = lines.next().filter(|(_, l)| !l.is_empty()) else {
            return Err(StatementError {
                line: 1,
                column: None,
                field: "header".into(),
                problem: "the file is empty; expected a header line `H|YYYYMMDD|acquirer id|merchant id|1`".into(),
            });
        };
        let mut statement = parse_header(first, merchant_id)?;
        let mut trailer = None;
        let mut seen: FastMap<(&str, u32, u32, TransactionKind), u32> = FastMap::default();
        for (number, line) in lines {
            if line.is_empty() {
                continue;
            }
            if let Some((trailer_line, _)) = trailer {
                return Err(StatementError {
                    line: number,
                    column: Some(1),
                    field: "trailer".into(),
                    problem: format!(
                        "a line after the trailer (line {trailer_line}); the trailer must be the last line"
                    ),
                });
            }
            match line.get(0..2) {
                Some("D|") => {
                    let entry = parse_entry(number, line)?;
                    // The terminal id as the line has it (field 1, checked to be 8 characters).
                    let key = (
                        line.get(2..10).unwrap_or_default(),
                        entry.batch,
                        entry.stan,
                        entry.transaction,
                    );
                    if let Some(first) = seen.insert(key, number) {
                        return Err(StatementError {
                            line: number,
                            column: None,
                            field: "entry".into(),
                            problem: format!(
                                "duplicate entry: terminal {} batch {:06} STAN {:06} type {} is already on line {first}",
                                entry.terminal_id,
                                entry.batch,
                                entry.stan,
                                type_code(entry.transaction),
                            ),
                        });
                    }
                    statement.entries.push(entry);
                }
                Some("T|") => trailer = Some((number, parse_trailer(number, line)?)),
                _ => {
                    return Err(StatementError {
                        line: number,
                        column: Some(1),
                        field: "record type".into(),
                        problem: format!(
                            "expected a line starting `D|` (entry) or `T|` (trailer), found `{}`",
                            line.chars().take(20).collect::<String>()
                        ),
                    })
                }
            }
        }
        let Some((trailer_line, trailer)) = trailer else {
            return Err(StatementError {
                line: 0,
                column: None,
                field: "trailer".into(),
                problem: "no trailer line `T|count|debits|credits|net`: the file may be cut short; fetch it again"
                    .into(),
            });
        };
        statement.check_trailer(trailer_line, trailer)?;
        Ok(statement)
    }

    /// The trailer the entries add up to.
    pub fn totals(&self) -> Trailer {
        let mut totals = Trailer::default();
        for e in &self.entries {
            totals.count = totals.count.saturating_add(1);
            if e.transaction.is_credit() {
                totals.credits = totals.credits.saturating_add(e.amount);
            } else {
                totals.debits = totals.debits.saturating_add(e.amount);
            }
            totals.net = totals.net.saturating_add(e.net);
        }
        totals
    }

    fn check_trailer(&self, line: u32, stated: Trailer) -> Result<(), StatementError> {
        let actual = self.totals();
        let checks = [
            (2, "entry count", i128::from(stated.count), i128::from(actual.count)),
            (3, "debits", i128::from(stated.debits), i128::from(actual.debits)),
            (4, "credits", i128::from(stated.credits), i128::from(actual.credits)),
            (5, "net", i128::from(stated.net), i128::from(actual.net)),
        ];
        for (field, name, stated, actual) in checks {
            if stated != actual {
                return Err(StatementError {
                    line,
                    column: None,
                    field: format!("trailer {name} (field {field})"),
                    problem: format!(
                        "the trailer says {stated}, the entries add up to {actual}: the file is incomplete or altered; fetch it again"
                    ),
                });
            }
        }
        Ok(())
    }

    /// The statement as its file: header, entries, trailer, each line ending `\n`.
    pub fn render(&self) -> String {
        let mut out = format!(
            "H|{}|{}|{}|1\n",
            self.date.yyyymmdd(),
            self.acquirer_id,
            self.merchant_id
        );
        for entry in &self.entries {
            out.push_str(&entry.line());
            out.push('\n');
        }
        let t = self.totals();
        out.push_str(&format!("T|{}|{}|{}|{}\n", t.count, t.debits, t.credits, t.net));
        out
    }
}

fn parse_header(line: &str, merchant_id: &str) -> Result<Statement, StatementError> {
    let fields = Fields::split(1, line);
    if fields.text(0) != "H" {
        return Err(fields.error(
            0,
            "header",
            format!(
                "expected the header `H|YYYYMMDD|acquirer id|merchant id|1` first, found `{}`",
                line.chars().take(20).collect::<String>()
            ),
        ));
    }
    fields.expect_count("header", &HEADER)?;
    let date = CivilDate::parse_yyyymmdd(fields.text(1)).ok_or_else(|| {
        fields.error(
            1,
            "settlement date",
            format!("expected a date YYYYMMDD, found `{}`", fields.text(1)),
        )
    })?;
    let acquirer_id = fields.text(2);
    if acquirer_id.is_empty() || acquirer_id.len() > 11 || !acquirer_id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(fields.error(
            2,
            "acquirer id",
            format!("expected 1 to 11 digits, found `{acquirer_id}`"),
        ));
    }
    let merchant = fields.text(3);
    if merchant != merchant_id {
        return Err(fields.error(
            3,
            "merchant id",
            format!("the statement is for merchant `{merchant}`, this terminal belongs to `{merchant_id}`: load this merchant's statement"),
        ));
    }
    if fields.text(4) != "1" {
        return Err(fields.error(
            4,
            "format version",
            format!("expected format version `1`, found `{}`", fields.text(4)),
        ));
    }
    Ok(Statement {
        date,
        acquirer_id: acquirer_id.to_owned(),
        merchant_id: merchant.to_owned(),
        entries: Vec::new(),
    })
}

fn parse_entry(number: u32, line: &str) -> Result<StatementEntry, StatementError> {
    let f = Fields::split(number, line);
    f.expect_count("entry", &ENTRY)?;
    let terminal_id = f.text(1);
    if terminal_id.len() != 8 || !terminal_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(f.error(
            1,
            "terminal id",
            format!("expected 8 letters or digits, found `{terminal_id}`"),
        ));
    }
    let batch = f.digits(2, "batch", 6)?;
    let stan = f.digits(3, "STAN", 6)?;
    if stan == 0 {
        return Err(f.error(
            3,
            "STAN",
            "STAN 000000 does not exist (STANs run 000001 to 999999)".into(),
        ));
    }
    let mmdd = f.digits(4, "date", 4)?;
    let (month, day) = (mmdd / 100, mmdd % 100);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return Err(f.error(4, "date", format!("expected a date MMDD, found `{}`", f.text(4))));
    }
    let hhmmss = f.digits(5, "time", 6)?;
    if hhmmss / 10_000 > 23 || hhmmss / 100 % 100 > 59 || hhmmss % 100 > 59 {
        return Err(f.error(5, "time", format!("expected a time hhmmss, found `{}`", f.text(5))));
    }
    let card = f.text(6);
    if !is_masked_pan(card) {
        return Err(f.error(
            6,
            "card",
            "expected a masked PAN (first 6 and last 4 digits, `*` between, 13 to 19 characters)".into(),
        ));
    }
    let transaction = statement_kind(f.text(7)).ok_or_else(|| {
        f.error(
            7,
            "type",
            format!(
                "unknown type `{}`: expected 22 sale, 23 void, 25 refund, 20 completion or 21 completion void",
                f.text(7)
            ),
        )
    })?;
    let amount = f.amount(8, "amount")?;
    let fee = f.amount(9, "fee")?;
    let net = f.signed(10, "net")?;
    let rrn = f.text(11);
    if rrn.len() != 12 || !rrn.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(f.error(11, "RRN", format!("expected 12 letters or digits, found `{rrn}`")));
    }
    let auth_code = f.text(12);
    if !(auth_code.is_empty() || auth_code.len() == 6 && auth_code.bytes().all(|b| b.is_ascii_alphanumeric())) {
        return Err(f.error(
            12,
            "auth code",
            format!("expected 6 letters or digits or nothing, found `{auth_code}`"),
        ));
    }
    let status = EntryStatus::parse(f.text(13)).ok_or_else(|| {
        f.error(
            13,
            "status",
            format!("unknown status `{}`: expected N, R, E or L", f.text(13)),
        )
    })?;
    if fee > amount {
        return Err(f.error(9, "fee", format!("the fee {fee} is more than the amount {amount}")));
    }
    let expected = match status {
        EntryStatus::Normal | EntryStatus::Late => Some(StatementEntry::settled_net(transaction, amount, fee)),
        EntryStatus::Reversed => Some(0),
        // An error item may be held (0) or adjusted: any net up to the amount.
        EntryStatus::Error => None,
    };
    if let Some(expected) = expected.filter(|e| *e != net) {
        return Err(f.error(
            10,
            "net",
            format!(
                "a {} entry with status {} must have net {expected} (docs/profile.md §8), found {net}",
                type_code(transaction),
                status.code()
            ),
        ));
    }
    if net.unsigned_abs() > amount {
        return Err(f.error(10, "net", format!("the net {net} is more than the amount {amount}")));
    }
    Ok(StatementEntry {
        line: number,
        terminal_id: terminal_id.to_owned(),
        batch,
        stan,
        date: f.text(4).to_owned(),
        time: f.text(5).to_owned(),
        card: card.to_owned(),
        transaction,
        amount,
        fee,
        net,
        rrn: rrn.to_owned(),
        auth_code: auth_code.to_owned(),
        status,
    })
}

fn parse_trailer(number: u32, line: &str) -> Result<Trailer, StatementError> {
    let f = Fields::split(number, line);
    f.expect_count("trailer", &TRAILER)?;
    let count = |i, name| -> Result<u64, StatementError> {
        let text = f.text(i);
        if text.is_empty() || text.len() > 15 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(f.error(i, name, format!("expected digits, found `{text}`")));
        }
        text.parse()
            .map_err(|_| f.error(i, name, format!("expected digits, found `{text}`")))
    };
    Ok(Trailer {
        count: count(1, "entry count")?,
        debits: count(2, "debits")?,
        credits: count(3, "credits")?,
        net: f.signed(4, "net")?,
    })
}

/// First 6 and last 4 digits with `*` between: what a statement may show of a card.
fn is_masked_pan(card: &str) -> bool {
    let bytes = card.as_bytes();
    (13..=19).contains(&bytes.len())
        && bytes.iter().take(6).all(u8::is_ascii_digit)
        && bytes.iter().rev().take(4).all(u8::is_ascii_digit)
        && bytes
            .get(6..bytes.len().saturating_sub(4))
            .is_some_and(|middle| middle.iter().all(|b| *b == b'*'))
}
