//! posterm: see `posterm --help`.

use std::process::ExitCode;

use clap::Parser;
use pos_host::cli::{self, Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(code) = cli::terminal::transaction(&cli) {
        return code;
    }
    match &cli.command {
        Command::Demo => cli::demo::run(&cli),
        Command::Init { acquirer, softhsm } => cli::demo::init(&cli, acquirer, *softhsm),
        Command::Keys(args) => cli::keys::run(&cli, args),
        Command::Status => cli::terminal::status(&cli),
        Command::Query { stan, rrn } => cli::terminal::query(&cli, *stan, rrn.clone()),
        Command::Journal => cli::terminal::journal(&cli),
        Command::Recover(args) => cli::recover::run(&cli, args),
        Command::Vectors { vectors } => cli::vectors::run(&cli, vectors),
        Command::Acquirer {
            listen,
            fault,
            late_reply_ms,
            balance_factor,
        } => cli::acquirer::serve(listen, fault, *late_reply_ms, *balance_factor),
        Command::AcquirerControl { address, command } => cli::acquirer::control(address, command),
        Command::Compile { output } => cli::demo::compile(&cli, output.clone()),
        Command::Bench(args) => cli::bench::run(&cli, args),
        Command::Farm(args) => cli::farm::run(&cli, args),
        // Transaction commands were handled above.
        _ => ExitCode::from(cli::print::exit::USAGE),
    }
}
