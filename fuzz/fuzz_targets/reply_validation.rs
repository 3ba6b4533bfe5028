//! Reply validation against a fixed outstanding request: a signed-on terminal whose sale waits
//! for its reply gets an arbitrary frame. Whatever arrives, nothing panics, every outcome agrees
//! with its guidance, and an approval is reported only for a frame that is a valid approval of
//! that request by the profile's rules, checked independently here (identifying fields, F39,
//! and a MAC computed by another security module with the same keys).
//!
//! The profile's MAC (CUP "ECB") XOR-folds the message into 8 bytes, so a frame with two
//! changes at the same offset modulo 8 that cancel out keeps its MAC: such a frame is a valid
//! approval by the profile's rules (the fuzzer found one; docs/decisions.md).
#![no_main]

use libfuzzer_sys::fuzz_target;
use pos_fuzz::outstanding_sale;
use pos_kernel::{Input, OutcomeResult, Output};

fuzz_target!(|data: &[u8]| {
    let mut sale = outstanding_sale();
    let now = sale.now;
    sale.terminal.handle(now, Input::Receive(data.to_vec()));
    while let Some(output) = sale.terminal.poll_output() {
        if let Output::Outcome(outcome) = &output {
            assert!(outcome.is_consistent(), "{outcome:?}");
            if outcome.result == OutcomeResult::Approved {
                assert!(sale.is_valid_approval(data), "an approval from a frame that is not one");
            }
        }
        if let Output::Persist(_) = output {
            sale.terminal.handle(now, Input::Persisted);
        }
    }
});
