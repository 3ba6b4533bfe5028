//! A terminal's day against the in-process simulated acquirer: sign-on, sales by swipe, chip and
//! tap, a decline, a lost reply that is reversed, a chip card that declines after approval; prints
//! outcomes and receipts, then settles the books against the acquirer's ledger.

use std::process::ExitCode;

use pos_acquirer_sim::Fault;
use pos_harness::cards;
use pos_harness::reconcile::reconcile;
use pos_harness::world::World;
use pos_kernel::engine::{Command, Outcome, Query};
use pos_kernel::Config;

fn print_outcome(outcome: &Outcome) {
    print!("{}", outcome.render());
}

fn main() -> ExitCode {
    if std::env::args().len() > 1 {
        eprintln!("usage: terminal-day\n\nRuns one terminal day against the in-process simulated acquirer and prints\nevery outcome and receipt, then reconciles the journal with the acquirer's ledger.");
        return ExitCode::from(2);
    }
    let mut world = World::new(Config::default());
    world.recording = false;
    let mut shown = 0;
    let mut show = |world: &mut World| {
        // The next customer comes a while later.
        world.wait(75_000);
        for outcome in world.outcomes.get(shown..).unwrap_or_default() {
            print_outcome(outcome);
        }
        shown = world.outcomes.len();
    };

    println!("# Sign-on");
    world.command(Command::SignOn);
    show(&mut world);

    println!("\n# Swiped card with PIN, chip card, contactless tap");
    world.command(Command::Sale {
        amount: 12_800,
        card: cards::swiped_debit(),
    });
    world.command(Command::Sale {
        amount: 45_600,
        card: cards::chip_debit(),
    });
    world.card_accepts();
    world.command(Command::Sale {
        amount: 2_350,
        card: cards::tap_credit(),
    });
    show(&mut world);

    println!("\n# Balance inquiry");
    world.command(Command::Balance {
        card: cards::swiped_debit(),
    });
    show(&mut world);

    println!("\n# A card without enough money");
    world.command(Command::Sale {
        amount: 9_900,
        card: cards::small_balance(),
    });
    show(&mut world);

    println!("\n# The bank charges the card but its reply is lost: the terminal times out and reverses");
    world.acquirer.inject(Fault::DropReply);
    world.command(Command::Sale {
        amount: 30_000,
        card: cards::swiped_debit(),
    });
    world.run_until_quiet();
    show(&mut world);

    println!("\n# The chip card refuses after the bank approved: reversal 06");
    world.command(Command::Sale {
        amount: 8_800,
        card: cards::chip_debit(),
    });
    world.card_declines();
    show(&mut world);

    println!("\n# The power fails right after a sale was sent; on restart the reversal goes first");
    world.acquirer.inject(Fault::DropReply);
    world.command(Command::Sale {
        amount: 5_000,
        card: cards::swiped_debit(),
    });
    world.restart();
    world.run_until_quiet();
    show(&mut world);

    println!("\n# A void of the first sale, and a refund of part of the chip sale");
    let receipts: Vec<_> = world.outcomes.iter().filter_map(|o| o.receipt.clone()).collect();
    if let (Some(first), Some(chip)) = (receipts.first(), receipts.get(1)) {
        world.command(Command::Void {
            original_stan: first.stan,
            card: None,
        });
        world.command(Command::Refund {
            amount: 5_600,
            card: cards::chip_debit(),
            original_rrn: chip.rrn.clone(),
            original_date: world
                .host
                .terminal
                .durable_state()
                .entries
                .get(1)
                .map(|e| e.date.clone())
                .unwrap_or_default(),
        });
    }
    show(&mut world);

    println!("\n# Hotel: pre-authorization, then completion for a little more");
    world.command(Command::PreAuth {
        amount: 80_000,
        card: cards::swiped_debit(),
    });
    if let Some(preauth) = world.last_outcome().and_then(|o| o.stan) {
        world.command(Command::Completion {
            original_stan: preauth,
            amount: 86_500,
            card: cards::swiped_debit(),
        });
    }
    show(&mut world);

    println!("\n# Was the customer of the lost reply charged? (query by STAN)");
    if let Some(life) = world.host.terminal.query(&Query::Stan(7)) {
        println!(
            "   STAN {:06} {:?} {:?}: charged = {:?}; steps {:?}",
            life.stan, life.transaction, life.card, life.charged, life.steps
        );
    }

    let status = world.host.terminal.status();
    println!(
        "\n# Terminal status\n   batch {:06}, last STAN {:06}, {} approved, net RMB {}{}.{:02}, {} exceptions",
        status.batch,
        status.last_stan,
        status.approved_count,
        if status.net_total < 0 { "-" } else { "" },
        status.net_total.unsigned_abs() / 100,
        status.net_total.unsigned_abs() % 100,
        status.exceptions.len()
    );
    println!("\n# Acquirer ledger\n{}", world.acquirer.ledger());
    let tid = world.host.terminal.config().terminal_id.clone();
    let books = reconcile(&tid, world.host.terminal.durable_state(), world.acquirer.ledger());

    println!("# Settlement");
    world.command(Command::Settle);
    world.run_until_quiet();
    show(&mut world);
    if let Some(report) = world.last_outcome().and_then(|o| o.settlement.clone()) {
        let money = |m: u64| format!("{}.{:02}", m / 100, m % 100);
        println!(
            "   batch {:06}: domestic {:?}, foreign {:?}",
            report.batch, report.domestic_result, report.foreign_result
        );
        for line in &report.by_type {
            println!(
                "   {:<16} {:>3}  RMB {:>10}",
                format!("{:?}", line.transaction),
                line.count,
                money(line.amount)
            );
        }
        println!(
            "   uploaded: {}, open exceptions: {}",
            report.uploaded,
            report.open_exceptions.len()
        );
        println!("   next batch: {:06}", world.host.terminal.status().batch);
    }
    match books {
        Ok(books) => {
            println!(
                "# Books balance: {} approved in the journal, {} standing at the acquirer",
                books.approved, books.standing
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("# BOOKS DO NOT BALANCE: {e}");
            ExitCode::FAILURE
        }
    }
}
