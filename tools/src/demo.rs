//! `posterm demo`, `posterm init` and `posterm compile`.

use std::process::ExitCode;

use pos_acquirer_server::server::{AcquirerServer, ServerConfig};
use pos_acquirer_sim::cards::TEST_PIN;
use pos_harness::reconcile::reconcile;
use pos_journal::FileStorage;
use pos_kernel::engine::{Begin, Command, DurableState, Event, Query, ReaderOutcome, TransactionKind};
use pos_kernel::{CardVerdict, Config, Input, Outcome, Output};
use pos_net::transport::{Transport, TransportConfig};

use pos_host::archive::ArchiveDir;
use pos_host::cli::card::{CardArgs, TestCard};
use pos_host::cli::print::{self, exit, note, out};
use pos_host::cli::Globals;
use pos_host::component_file;
use pos_host::driver::{CardReader, Driver};
use pos_host::terminal_dir::{ConfigFile, HostSettings, SecuritySettings, TerminalDir};
use pos_host::token;

fn test_card(card: TestCard) -> pos_kernel::Card {
    CardArgs::test(card)
}

struct Demo {
    host: Driver<FileStorage>,
    shown: usize,
}

impl Demo {
    fn run(&mut self, title: &str, command: Command) -> Result<Outcome, String> {
        if !title.is_empty() {
            out!("\n# {title}");
        }
        if command.takes_pin() {
            // The demo's cardholder types the test cards' PIN on posterm's simulated PIN pad.
            self.host.pin_pad().enter(TEST_PIN).map_err(|e| e.to_string())?;
        }
        let outcome = self.host.run(command).map_err(|e| e.to_string())?;
        for output in self.host.log.get(self.shown..).unwrap_or_default() {
            match output {
                Output::CardRequired(request) => out!("   card reader: {} / {}", request.prompt.zh, request.prompt.en),
                Output::Outcome(outcome) => print::outcome(outcome),
                // What the acquirer requires around the transactions (rule 16).
                Output::Event(
                    event @ (Event::Management { .. } | Event::AdviceAnswered { .. } | Event::AdvicePending { .. }),
                ) => {
                    if let Some(line) = print::event(event) {
                        out!("   {line}");
                    }
                }
                _ => {}
            }
        }
        self.shown = self.host.log.len();
        Ok(outcome)
    }
}

/// A whole terminal day on loopback through the component, against an embedded acquirer.
pub fn run(globals: &Globals) -> ExitCode {
    match day(globals) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            note!("posterm demo: {e}");
            ExitCode::from(exit::HOST_ERROR)
        }
    }
}

fn day(globals: &Globals) -> Result<bool, String> {
    let server = AcquirerServer::bind(ServerConfig {
        listen: "127.0.0.1:0".into(),
        late_reply_delay_ms: 3_000,
        ..ServerConfig::default()
    })
    .map_err(|e| format!("cannot start the acquirer: {e}"))?;
    let acquirer = server.spawn().map_err(|e| e.to_string())?;
    let dir = std::env::temp_dir().join(format!("posterm-demo-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let config = Config {
        response_timeout_ms: 2_000,
        reversal_retry_interval_ms: 1_000,
        ..Config::default()
    };
    let settings = HostSettings {
        acquirer: acquirer.local_addr().to_string(),
        ..HostSettings::default()
    };
    let terminal_dir = TerminalDir::new(&dir);
    let file = ConfigFile {
        terminal: config.clone(),
        host: settings.clone(),
        security: SecuritySettings::default(),
    };
    // The terminal's keys in a SoftHSM2 token of its own; the TMK loaded from its two
    // components, as `posterm keys load-tmk` does. No key is written to any file.
    let file = pos_host::cli::setup::create(&terminal_dir, file, true)?;
    let token = token::open(&terminal_dir, &file)?;
    let loaded = token::load_test_tmk(&token)?;
    out!(
        "posterm demo: keys in SoftHSM2 token `{}`: terminal master key loaded, check value {}",
        file.security.token,
        pos_pkcs11::check_value_hex(&loaded.tmk)
    );
    out!(
        "posterm demo: terminal {} in {}, acquirer on {}",
        config.terminal_id,
        dir.display(),
        acquirer.local_addr()
    );

    let component = globals
        .component
        .clone()
        .unwrap_or_else(component_file::default_component);
    let backend = pos_host::cli::terminal::backend(globals);
    let runtime = component_file::load(&component, backend, token::factory(std::sync::Arc::new(token)))?;
    out!("kernel component: {} on wasmtime ({backend:?})", component.display());
    let (journal, notes) = pos_host::open::open_journal(&terminal_dir, &file).map_err(|stop| stop.message)?;
    pos_host::cli::terminal::print_notes(&notes);
    let transport = Transport::new(TransportConfig {
        address: settings.acquirer.clone(),
        connect_timeout_ms: settings.connect_timeout_ms,
        read_timeout_ms: config.response_timeout_ms,
    });
    let card: CardReader = Box::new(|_, issuer_data| CardVerdict {
        approved: true,
        icc_data: pos_acquirer_sim::reader::second_generate_ac(true, issuer_data),
    });
    let host = Driver::open(runtime, config.clone(), journal, transport, card)
        .map_err(|e| e.to_string())?
        .with_archive(ArchiveDir::new(&dir, file.host.archive_days));
    let mut demo = Demo { host, shown: 0 };

    demo.run("Sign-on", Command::SignOn)?;
    let swiped = demo.run(
        "Swiped card with PIN",
        Command::Sale {
            amount: 12_800,
            card: test_card(TestCard::Swiped),
        },
    )?;
    acquirer.control("script-next")?;
    let chip = demo.run(
        "Chip card; the approval carries an issuer script: the card's result goes back in a script advice (0620)",
        Command::Sale {
            amount: 45_600,
            card: test_card(TestCard::Chip),
        },
    )?;
    // The card phase: the sale begins before the card; the first tap is cut short, the card
    // reader says so, and the kernel asks to tap again.
    demo.host.card_reader_answers = [
        Input::CardReader(ReaderOutcome::TryAgain),
        Input::CardPresented(test_card(TestCard::Tap)),
    ]
    .into();
    demo.run(
        "Contactless: the sale begins, the tap is cut short, the card is tapped again",
        Command::Begin(Begin {
            transaction: TransactionKind::Sale,
            amount: Some(2_350),
            original_stan: None,
            original_rrn: None,
            original_date: None,
        }),
    )?;
    acquirer.control(&format!("ask {} ca-keys", config.terminal_id))?;
    demo.run(
        "A card without enough money; the reply's header asks for a CA key update, which runs after it",
        Command::Sale {
            amount: 9_900,
            card: test_card(TestCard::Small),
        },
    )?;
    acquirer.control("fault drop-reply")?;
    let lost = demo.run(
        "The bank charges the card but its reply is lost: timeout, then the reversal",
        Command::Sale {
            amount: 30_000,
            card: test_card(TestCard::Swiped),
        },
    )?;
    acquirer.control("fault late-approval")?;
    demo.run(
        "The bank approves only after the terminal gave up (a late approval): the terminal's reversal finds nothing",
        Command::Sale {
            amount: 38_500,
            card: test_card(TestCard::Swiped),
        },
    )?;
    let preauth = demo.run(
        "Pre-authorization",
        Command::PreAuth {
            amount: 20_000,
            card: test_card(TestCard::Swiped),
        },
    )?;
    if let Some(stan) = preauth.stan {
        demo.run(
            "Completed offline (预授权完成通知): approved now, its advice (0220) sent until answered",
            Command::CompletionAdvice {
                original_stan: stan,
                amount: 21_500,
                auth_code: None,
            },
        )?;
    }
    if let Some(stan) = swiped.stan {
        demo.run(
            "Void of the first sale",
            Command::Void {
                original_stan: stan,
                card: None,
            },
        )?;
    }
    if let Some(receipt) = &chip.receipt {
        let date = receipt
            .date_time
            .get(5..10)
            .map(|md| md.replace('-', ""))
            .unwrap_or_default();
        demo.run(
            "Refund of part of the chip sale",
            Command::Refund {
                amount: 5_600,
                card: test_card(TestCard::Chip),
                original_rrn: receipt.rrn.clone(),
                original_date: date,
            },
        )?;
    }
    if let Some(stan) = lost.stan {
        let life = demo.host.query(&Query::Stan(stan)).map_err(|e| e.to_string())?;
        if let Some(life) = life {
            out!(
                "\n# Was the customer of the lost reply charged? STAN {stan:06}: {:?}",
                life.charged
            );
        }
    }

    // The books before settlement: the journal against the acquirer's ledger.
    let records: Vec<&[u8]> = demo.host.journal().iter().collect();
    let state = DurableState::new(config.initial_stan, config.initial_batch)
        .replay(records)
        .map_err(|e| e.to_string())?;
    let books = {
        let acquirer = acquirer.acquirer();
        let bank = acquirer.lock().map_err(|_| "acquirer lock poisoned".to_owned())?;
        out!("\n# Acquirer ledger\n{}", bank.ledger());
        reconcile(&config.terminal_id, &state, bank.ledger())
    };
    demo.run(
        "Settlement: totals, the chip and contactless approvals' TC uploads, the end",
        Command::Settle,
    )?;
    let status = demo.host.status().map_err(|e| e.to_string())?;
    if let Some(keys) = &status.downloads.ca_keys {
        let names: Vec<String> = keys.keys.iter().map(|k| k.name()).collect();
        out!(
            "\nCA public keys downloaded {}: {} (handed to the card reader)",
            keys.installed_at,
            names.join(" ")
        );
    }
    out!(
        "\nnext batch {:06}; journal compacted to {} record(s)",
        status.batch,
        demo.host.journal().records().len()
    );

    // The next day: the acquirer's statements against the journal and the archive (rule 17).
    let statements = {
        let bank = acquirer.acquirer();
        let bank = bank.lock().map_err(|_| "acquirer lock poisoned".to_owned())?;
        let dates: std::collections::BTreeSet<_> =
            bank.ledger().entries().iter().map(|e| bank.statement_date(e)).collect();
        let mut paths = Vec::new();
        for date in dates {
            let path = dir.join(format!("statement-{}.txt", date.yyyymmdd()));
            std::fs::write(&path, bank.statement(&config.merchant_id, date).render()).map_err(|e| e.to_string())?;
            paths.push(path);
        }
        paths
    };
    out!("\n# Was I paid? The acquirer's statement against the journal and the archive");
    for path in &statements {
        out!("statement file: {}", path.display());
        if let Ok(text) = std::fs::read_to_string(path) {
            for line in text.lines() {
                out!("   {line}");
            }
        }
    }
    let report = pos_host::cli::reconcile::reconcile_dir(&dir, &statements, false).map_err(|(_, e)| e)?;
    pos_host::cli::reconcile::print_report(&report);
    let late = report
        .lines
        .iter()
        .filter(|l| l.finding == pos_kernel::reconcile::Finding::LateApproval)
        .count();

    let _ = acquirer.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
    if late != 1 {
        note!("the statement's late approval was not found ({late} found)");
        return Ok(false);
    }
    match books {
        Ok(books) => {
            out!(
                "books balance: {} approved in the journal, {} standing at the acquirer ({} booked late by the bank, found by the statement above)",
                books.approved,
                books.standing,
                books.late
            );
            Ok(true)
        }
        Err(e) => {
            note!("BOOKS DO NOT BALANCE: {e}");
            Ok(false)
        }
    }
}
