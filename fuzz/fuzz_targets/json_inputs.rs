//! The JSON-shaped inputs a JavaScript host hands the wasm-bindgen binding (the same serde
//! shapes; the binding's own conversion needs a JS engine, so serde_json stands in for it): a
//! configuration, then inputs. Whatever arrives is refused or handled; nothing panics, and every
//! outcome agrees with its guidance.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pos_kernel::security::SoftwareSecurityModule;
use pos_kernel::{Config, Input, Output, Terminal, Timestamp};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut lines = text.lines();
    let config = lines
        .next()
        .and_then(|line| serde_json::from_str::<Config>(line).ok())
        .unwrap_or_default();
    let Ok(mut terminal) = Terminal::new(config, Box::new(SoftwareSecurityModule::with_test_keys())) else {
        return;
    };
    for (i, line) in lines.enumerate().take(64) {
        let Ok(input) = serde_json::from_str::<Input>(line) else {
            continue;
        };
        terminal.handle(Timestamp(1_795_226_400_000 + i as u64 * 1_000), input);
        while let Some(output) = terminal.poll_output() {
            if let Output::Outcome(outcome) = output {
                assert!(outcome.is_consistent(), "{outcome:?}");
            }
        }
    }
    let _ = serde_json::to_string(&terminal.status());
});
