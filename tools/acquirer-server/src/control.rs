//! The control channel of the acquirer server: text commands that queue faults and show the
//! bank's books, so a test, a demo or an operator can steer the simulated bank while
//! terminals are connected.
//!
//! # Protocol
//!
//! Control connections use the same TCP port as terminals. The server looks at the first byte
//! of every connection:
//!
//! - `#` (`0x23`): a control connection. The client sends one line, `#` + command + `\n`
//!   (at most [`MAX_COMMAND_LEN`] bytes; end of stream also ends the line; a trailing `\r` is
//!   ignored). The server answers with the result text followed by `\n` and closes the
//!   connection. A failed command's answer starts with [`ERROR_PREFIX`] (`error: `).
//! - anything else: a terminal. A `cup-pos` frame starts with its 2-byte big-endian length, and
//!   no frame is longer than [`pos_net::framing::MAX_FRAME_LEN`] (4096 < `0x2300`), so its first
//!   byte is never `#`.
//!
//! ```text
//! client: #fault drop-reply\n
//! server: queued drop-reply; pending: drop-reply\n        (then closes)
//! ```
//!
//! # Commands
//!
//! Words are separated by spaces; names are case-sensitive.
//!
//! | command | effect | answer |
//! |---|---|---|
//! | `fault NAME...` | queues one fault per name, in order (see [`Fault`]: `drop-reply`, `delay-reply`, `bad-mac`, `wrong-stan`, `wrong-tid`, `wrong-amount`, `wrong-mti`, `answer-twice`, `garbage`, `close`, `sign-on-again`); nothing is queued if a name is unknown | `queued NAME...; pending: ...` |
//! | `faults` | none | `pending: ...` (or `pending: none`) |
//! | `faults clear` | forgets every queued fault | `cleared N` |
//! | `corrupt-check-value` | the next sign-on reply carries a wrong MAK check value | `next sign-on reply has a wrong check value` |
//! | `ledger` | none | the ledger table ([`pos_acquirer_sim::Ledger`]'s `Display`) |
//! | `statement --date YYYYMMDD [--merchant ID]` | none | the merchant's statement of that date (docs/profile.md §8); without `--merchant`, the ledger's only merchant |
//! | `statement-dates` | none | the dates that have statements |
//! | `statement-fault drop:TID:STAN` / `hold:TID:STAN` / `amount:TID:STAN:MINOR` | every later statement leaves the entry off, holds it `E`, or changes its amount | `statements from now on: ...` |
//! | `ask TID TASK` | asks terminal TID, in the header of every reply to it, for TASK (`parameters`, `status-upload`, `ca-keys`, `ic-parameters`; docs/profile.md §7) until it is carried out | `asking TID for TASK` |
//! | `script-next` | the next approval of a chip request carries an issuer script (a script result advice follows) | `next chip approval carries an issuer script` |
//! | `corrupt-ca-key INDEX` | the CA key with that index (hex, e.g. `08`) is downloaded with a DF03 that does not verify | `CA key INDEX will have a wrong check value` |
//! | `violations` | none | what arrived twice or against the profile (uploads, advices, downloads), one per line, or `none` |
//! | `rejected` | none | how many frames did not decode |
//! | `reset` | a new bank with the same configuration: opening balances, no terminal signed on, no faults | `reset` |
//! | `help` | none | the command list |
//!
//! [`send_control`] is the client side.

use std::io::{self, BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use pos_acquirer_sim::{Acquirer, Fault, StatementFault};
use pos_kernel::engine::downloads::ManagementTask;
use pos_kernel::time::CivilDate;

use pos_net::TransportError;

/// The first byte of a control connection.
pub const CONTROL_MARKER: u8 = b'#';

/// The longest control line accepted, `#` and `\n` included.
pub const MAX_COMMAND_LEN: usize = 1024;

/// How a failed command's answer starts.
pub const ERROR_PREFIX: &str = "error: ";

/// The longest answer [`send_control`] reads.
const MAX_ANSWER_LEN: u64 = 16 * 1024 * 1024;

/// How long the server waits for a control client to close after the answer.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(1);

/// How much the server reads and discards after the answer.
const MAX_DRAIN_LEN: u64 = 64 * 1024;

/// How long either side of a control connection waits for the other.
pub(crate) const CONTROL_TIMEOUT: Duration = Duration::from_secs(10);

const HELP: &str = "commands: fault NAME... | faults | faults clear | corrupt-check-value | ledger | ledger-json | \
                    ledger-entries FROM COUNT | statement --date YYYYMMDD [--merchant ID] | statement-dates | \
                    statement-fault drop:TID:STAN|hold:TID:STAN|amount:TID:STAN:MINOR | \
                    ask TID parameters|status-upload|ca-keys|ic-parameters | script-next | corrupt-ca-key INDEX | \
                    violations | rejected | reset | help";

/// `statement --date YYYYMMDD [--merchant ID]`: the statement file of that date. Without
/// `--merchant`, the merchant of the ledger (refused if it holds several).
fn statement(bank: &Acquirer, args: &[&str]) -> Result<String, String> {
    let usage = "statement --date YYYYMMDD [--merchant MERCHANT_ID]";
    let (mut date, mut merchant) = (None, None);
    let mut words = args.iter();
    while let Some(word) = words.next() {
        match *word {
            "--date" => date = words.next().copied(),
            "--merchant" => merchant = words.next().copied(),
            other if date.is_none() && !other.starts_with('-') => date = Some(other),
            other => return Err(format!("statement: unexpected `{other}`; {usage}")),
        }
    }
    let date = date.ok_or_else(|| format!("statement: give the date; {usage}"))?;
    let date = CivilDate::parse_yyyymmdd(date)
        .ok_or_else(|| format!("statement: `{date}` is not a date YYYYMMDD; {usage}"))?;
    let merchant = match merchant {
        Some(m) => m.to_owned(),
        None => {
            let merchants: std::collections::BTreeSet<&str> =
                bank.ledger().entries().iter().map(|e| e.merchant_id.as_str()).collect();
            match merchants.into_iter().collect::<Vec<_>>().as_slice() {
                [one] => (*one).to_owned(),
                [] => return Err("statement: the ledger is empty; give --merchant MERCHANT_ID".to_owned()),
                many => {
                    return Err(format!(
                        "statement: several merchants ({}); give --merchant",
                        many.join(", ")
                    ))
                }
            }
        }
    };
    let text = bank.statement(&merchant, date).render();
    Ok(text.strip_suffix('\n').unwrap_or(&text).to_owned())
}

/// The most entries one `ledger-entries` answer holds (about 6 MB of JSON, well under
/// [`MAX_ANSWER_LEN`]): a long ledger is read a page at a time.
pub const LEDGER_PAGE: usize = 20_000;

/// Carries out one control command on `acquirer` (a leading `#` and surrounding whitespace
/// are ignored). `Err` holds the reason a command was refused.
pub fn execute(acquirer: &Mutex<Acquirer>, command: &str) -> Result<String, String> {
    let command = command.trim();
    let command = command.strip_prefix('#').unwrap_or(command).trim();
    let words: Vec<&str> = command.split_whitespace().collect();
    match words.as_slice() {
        ["fault", names @ ..] if !names.is_empty() => {
            let faults = names
                .iter()
                .map(|name| name.parse::<Fault>().map_err(|e| e.to_string()))
                .collect::<Result<Vec<_>, _>>()?;
            let mut bank = lock(acquirer);
            for fault in &faults {
                bank.inject(*fault);
            }
            Ok(format!("queued {}; pending: {}", join(faults), pending(&bank)))
        }
        ["fault"] => Err(format!("fault needs a name; one of: {}", join(Fault::ALL))),
        ["faults"] => Ok(format!("pending: {}", pending(&lock(acquirer)))),
        ["faults", "clear"] => {
            let mut bank = lock(acquirer);
            let count = bank.pending_faults().count();
            bank.clear_faults();
            Ok(format!("cleared {count}"))
        }
        ["corrupt-check-value"] => {
            lock(acquirer).corrupt_next_sign_on_check_value();
            Ok("next sign-on reply has a wrong check value".to_owned())
        }
        ["ledger"] => Ok(lock(acquirer).ledger().to_string()),
        // For tests and tools that reconcile against a running acquirer process.
        ["ledger-json"] => serde_json::to_string(lock(acquirer).ledger()).map_err(|e| e.to_string()),
        // Entries FROM.. (at most COUNT, at most LEDGER_PAGE) as a JSON array: a ledger too long
        // for one answer, read a page at a time (`ledger_entries`).
        ["ledger-entries", from, count] => {
            let from: usize = from
                .parse()
                .map_err(|_| format!("ledger-entries: `{from}` is not a number"))?;
            let count: usize = count
                .parse()
                .map_err(|_| format!("ledger-entries: `{count}` is not a number"))?;
            let bank = lock(acquirer);
            let entries = bank.ledger().entries();
            let page = entries
                .get(from.min(entries.len())..)
                .unwrap_or_default()
                .iter()
                .take(count.min(LEDGER_PAGE));
            serde_json::to_string(&page.collect::<Vec<_>>()).map_err(|e| e.to_string())
        }
        ["statement", args @ ..] => statement(&lock(acquirer), args),
        ["statement-dates"] => {
            let bank = lock(acquirer);
            let dates: std::collections::BTreeSet<String> = bank
                .ledger()
                .entries()
                .iter()
                .map(|e| bank.statement_date(e).yyyymmdd())
                .collect();
            Ok(if dates.is_empty() {
                "no statement yet: the ledger is empty".to_owned()
            } else {
                dates.into_iter().collect::<Vec<_>>().join(" ")
            })
        }
        ["statement-fault", fault] => {
            let fault: StatementFault = fault.parse()?;
            let mut bank = lock(acquirer);
            bank.inject_statement_fault(fault.clone());
            Ok(format!("statements from now on: {fault}"))
        }
        ["ask", tid, task] => {
            let kind = match *task {
                "parameters" => ManagementTask::Parameters,
                "status-upload" => ManagementTask::StatusUpload,
                "ca-keys" => ManagementTask::CaKeys,
                "ic-parameters" => ManagementTask::IcParameters,
                other => {
                    return Err(format!(
                        "ask: unknown task `{other}`; one of parameters, status-upload, ca-keys, ic-parameters"
                    ))
                }
            };
            lock(acquirer).ask(tid, kind);
            Ok(format!("asking {tid} for {task}"))
        }
        ["ask", ..] => Err("ask TID TASK: e.g. `ask 10000001 ca-keys`".to_owned()),
        ["script-next"] => {
            lock(acquirer).send_script_with_next_approval();
            Ok("next chip approval carries an issuer script".to_owned())
        }
        ["corrupt-ca-key", index] => {
            let parsed = u8::from_str_radix(index, 16)
                .map_err(|_| format!("corrupt-ca-key: `{index}` is not a key index (hex, e.g. 08)"))?;
            lock(acquirer).corrupt_ca_key(parsed);
            Ok(format!("CA key {parsed:02X} will have a wrong check value"))
        }
        ["violations"] => {
            let bank = lock(acquirer);
            Ok(if bank.violations().is_empty() {
                "none".to_owned()
            } else {
                bank.violations().join("\n")
            })
        }
        ["rejected"] => Ok(lock(acquirer).rejected().to_string()),
        ["reset"] => {
            let mut bank = lock(acquirer);
            *bank = Acquirer::new(bank.config().clone());
            Ok("reset".to_owned())
        }
        ["help"] => Ok(HELP.to_owned()),
        [] => Err(format!("empty command; {HELP}")),
        _ => Err(format!("unknown command `{command}`; {HELP}")),
    }
}

/// Every entry of the ledger of the acquirer server at `addr`, read with `ledger-entries` a page
/// at a time (one answer of a long ledger would be cut at the answer limit).
pub fn ledger_entries(addr: &str) -> Result<Vec<pos_acquirer_sim::LedgerEntry>, String> {
    ledger_entries_paged(addr, LEDGER_PAGE)
}

/// [`ledger_entries`] with pages of `page` entries (at most [`LEDGER_PAGE`]).
pub fn ledger_entries_paged(addr: &str, page: usize) -> Result<Vec<pos_acquirer_sim::LedgerEntry>, String> {
    let page_len = page.clamp(1, LEDGER_PAGE);
    let mut entries = Vec::new();
    loop {
        let command = format!("ledger-entries {} {page_len}", entries.len());
        let answer = send_control(addr, &command)
            .map_err(|e| format!("cannot read the ledger of the acquirer at {addr}: {e}"))?;
        if let Some(error) = answer.strip_prefix(ERROR_PREFIX) {
            return Err(format!("the acquirer at {addr} refused `{command}`: {error}"));
        }
        let page: Vec<pos_acquirer_sim::LedgerEntry> = serde_json::from_str(&answer)
            .map_err(|e| format!("the ledger page of the acquirer at {addr} does not parse: {e}"))?;
        let full = page.len() == page_len;
        entries.extend(page);
        if !full {
            return Ok(entries);
        }
    }
}

/// Sends one control command to the acquirer server at `addr` (`host:port`) and returns its
/// answer without the final newline. A refused command is still `Ok`: its answer starts with
/// [`ERROR_PREFIX`].
pub fn send_control(addr: &str, command: &str) -> Result<String, TransportError> {
    let command = command.trim();
    let command = command.strip_prefix('#').unwrap_or(command);
    if command.contains(['\n', '\r']) || command.len() + 2 > MAX_COMMAND_LEN {
        return Err(TransportError::Io(io::Error::new(
            ErrorKind::InvalidInput,
            "a control command is one line of at most 1022 bytes",
        )));
    }
    let mut stream = connect(addr)?;
    let exchange = |stream: &mut TcpStream| -> io::Result<String> {
        stream.set_read_timeout(Some(CONTROL_TIMEOUT))?;
        stream.set_write_timeout(Some(CONTROL_TIMEOUT))?;
        stream.write_all(format!("#{command}\n").as_bytes())?;
        stream.flush()?;
        let mut answer = Vec::new();
        stream.take(MAX_ANSWER_LEN).read_to_end(&mut answer)?;
        Ok(String::from_utf8_lossy(&answer).into_owned())
    };
    let mut answer = exchange(&mut stream).map_err(TransportError::Io)?;
    // Best effort: the server has already closed its side.
    let _ = stream.shutdown(Shutdown::Both);
    if answer.is_empty() {
        return Err(TransportError::Closed);
    }
    if answer.ends_with('\n') {
        answer.pop();
    }
    Ok(answer)
}

/// The server side of one control connection whose first byte (`#`) has been read: reads the
/// rest of the line, answers, closes.
pub(crate) fn serve(stream: &mut TcpStream, acquirer: &Mutex<Acquirer>) -> io::Result<()> {
    stream.set_read_timeout(Some(CONTROL_TIMEOUT))?;
    stream.set_write_timeout(Some(CONTROL_TIMEOUT))?;
    let mut line = Vec::new();
    let limit = u64::try_from(MAX_COMMAND_LEN.saturating_sub(1)).unwrap_or(u64::MAX);
    BufReader::new(Read::by_ref(stream).take(limit)).read_until(b'\n', &mut line)?;
    let answer = if line.last() != Some(&b'\n') && u64::try_from(line.len()).unwrap_or(u64::MAX) >= limit {
        Err(format!("command longer than {MAX_COMMAND_LEN} bytes"))
    } else {
        match std::str::from_utf8(&line) {
            Ok(text) => execute(acquirer, text),
            Err(_) => Err("the command is not UTF-8".to_owned()),
        }
    };
    let text = match answer {
        Ok(text) => text,
        Err(reason) => format!("{ERROR_PREFIX}{reason}"),
    };
    stream.write_all(format!("{text}\n").as_bytes())?;
    stream.flush()?;
    stream.shutdown(Shutdown::Write)?;
    // Read what the client may still send (the rest of an overlong line) until it closes, so
    // that closing does not reset the connection before the client has read the answer.
    stream.set_read_timeout(Some(DRAIN_TIMEOUT))?;
    io::copy(&mut Read::by_ref(stream).take(MAX_DRAIN_LEN), &mut io::sink())?;
    Ok(())
}

fn connect(addr: &str) -> Result<TcpStream, TransportError> {
    let unreachable = |e: io::Error| {
        TransportError::Connect(io::Error::new(
            e.kind(),
            format!("cannot reach the acquirer at {addr}: {e}"),
        ))
    };
    let mut last = io::Error::new(ErrorKind::InvalidInput, "the address resolves to no address");
    for address in addr.to_socket_addrs().map_err(unreachable)? {
        match TcpStream::connect_timeout(&address, CONTROL_TIMEOUT) {
            Ok(stream) => return Ok(stream),
            Err(e) => last = e,
        }
    }
    Err(unreachable(last))
}

/// The bank, even if a connection thread panicked while holding it (its state is still the
/// best there is for a test server).
pub(crate) fn lock(acquirer: &Mutex<Acquirer>) -> MutexGuard<'_, Acquirer> {
    acquirer.lock().unwrap_or_else(PoisonError::into_inner)
}

fn pending(bank: &Acquirer) -> String {
    let faults: Vec<Fault> = bank.pending_faults().collect();
    if faults.is_empty() {
        "none".to_owned()
    } else {
        join(faults)
    }
}

fn join(faults: impl IntoIterator<Item = Fault>) -> String {
    faults.into_iter().map(Fault::name).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use pos_acquirer_sim::AcquirerConfig;

    use super::*;

    fn bank() -> Mutex<Acquirer> {
        Mutex::new(Acquirer::new(AcquirerConfig::default()))
    }

    #[test]
    fn faults_queue_list_and_clear() {
        let bank = bank();
        assert_eq!(
            execute(&bank, "#fault drop-reply close"),
            Ok("queued drop-reply close; pending: drop-reply close".to_owned())
        );
        assert_eq!(execute(&bank, " faults "), Ok("pending: drop-reply close".to_owned()));
        assert_eq!(execute(&bank, "faults clear"), Ok("cleared 2".to_owned()));
        assert_eq!(execute(&bank, "faults"), Ok("pending: none".to_owned()));
    }

    #[test]
    fn unknown_fault_queues_nothing() {
        let bank = bank();
        let error = execute(&bank, "fault drop-reply nope").unwrap_err();
        assert!(error.contains("unknown fault `nope`"), "{error}");
        assert_eq!(execute(&bank, "faults"), Ok("pending: none".to_owned()));
        assert!(execute(&bank, "fault").is_err());
    }

    #[test]
    fn every_fault_name_is_accepted() {
        let bank = bank();
        for fault in Fault::ALL {
            assert!(execute(&bank, &format!("fault {fault}")).is_ok());
        }
        assert_eq!(lock(&bank).pending_faults().count(), Fault::ALL.len());
    }

    #[test]
    fn ledger_rejected_reset_help() {
        let bank = bank();
        assert_eq!(execute(&bank, "ledger"), Ok(lock(&bank).ledger().to_string()));
        assert_eq!(execute(&bank, "rejected"), Ok("0".to_owned()));
        execute(&bank, "fault close").unwrap();
        assert_eq!(execute(&bank, "reset"), Ok("reset".to_owned()));
        assert_eq!(execute(&bank, "faults"), Ok("pending: none".to_owned()));
        assert!(execute(&bank, "help").unwrap().contains("fault NAME"));
        assert!(execute(&bank, "").is_err());
        assert!(execute(&bank, "launch rockets").is_err());
        assert_eq!(execute(&bank, "ledger-entries 0 10"), Ok("[]".to_owned()));
        assert_eq!(execute(&bank, "ledger-entries 99 10"), Ok("[]".to_owned()));
        assert!(execute(&bank, "ledger-entries x 10")
            .unwrap_err()
            .contains("`x` is not a number"));
        assert!(execute(&bank, "ledger-entries 0").is_err());
        assert_eq!(
            execute(&bank, "corrupt-check-value"),
            Ok("next sign-on reply has a wrong check value".to_owned())
        );
    }
}
