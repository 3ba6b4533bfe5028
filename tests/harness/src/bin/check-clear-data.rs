//! `check-clear-data FILE...`: searches files a host wrote (the browser's IndexedDB dump) for the
//! test cards' PANs and tracks, the test PIN's clear PIN field and blocks, the test TMK and the
//! software card data key, in every encoding (pos_harness::clear_data). Exits 1 naming each one
//! found. Encrypted PIN blocks and working keys are looked for where the wire is seen
//! (posterm/tests/clear_data.rs, the vectors); in the browser the wire is inside the page.

use std::process::ExitCode;

use pos_acquirer_sim::cards::{self, TEST_PIN};
use pos_harness::cards as reader;
use pos_harness::clear_data::Secrets;
use pos_kernel::security::crypto::{TEST_DATA_KEY, TEST_TMK};

fn main() -> ExitCode {
    let files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() || files.iter().any(|f| f == "--help" || f == "-h") {
        eprintln!("usage: check-clear-data FILE... (exit 1 when a card number, track, PIN or key is found)");
        return ExitCode::from(2);
    }
    let mut secrets = Secrets::new();
    secrets.bytes("test TMK", &TEST_TMK);
    secrets.bytes("test card data key", &TEST_DATA_KEY);
    for card in cards::test_cards() {
        secrets.digits("PAN", &card.pan);
        for presented in [
            reader::magstripe(&card.pan, &card.expiry, true),
            reader::chip(&card.pan, true),
        ] {
            if let Some(track) = presented.track2 {
                secrets.digits("track 2", &track);
            }
        }
        if card.pan.len() >= 13 {
            secrets.pin(TEST_PIN, &card.pan);
        }
    }
    let (mut bytes, mut found_any) = (0, false);
    for file in &files {
        let content = match std::fs::read(file) {
            Ok(content) => content,
            Err(e) => {
                eprintln!("check-clear-data: {file}: {e}");
                return ExitCode::from(2);
            }
        };
        bytes += content.len();
        for finding in secrets.find(&content) {
            found_any = true;
            eprintln!("{file}: {} at byte {}", finding.what, finding.offset);
        }
    }
    if found_any {
        return ExitCode::FAILURE;
    }
    println!(
        "no clear data: {} secrets in every encoding, {bytes} bytes in {} file(s)",
        secrets.len(),
        files.len()
    );
    ExitCode::SUCCESS
}
