//! The benchmark's sale script runs past a mid-batch compaction (decision 71): the cycle where the
//! idle kernel asks for one ends with the `Compact`, not with the sale's outcome, and must still
//! count as an approved sale (it once failed `posterm bench` at sale 498).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use pos_kernel::Output;
use pos_tools::bench::cycles::{self, Driven, Step};

/// The native kernel, counting the compactions it asks for.
struct Counting {
    kernel: cycles::Native,
    compactions: usize,
}

impl Driven for Counting {
    fn feed(&mut self, step: &Step) -> Result<Vec<Output>, String> {
        let outputs = self.kernel.feed(step)?;
        self.compactions += outputs.iter().filter(|o| matches!(o, Output::Compact(_))).count();
        Ok(outputs)
    }
}

#[test]
fn a_sale_script_past_a_compaction_replays_as_approved_sales() {
    let script = cycles::record(600).unwrap();
    let mut kernel = Counting {
        kernel: cycles::native(&script.config).unwrap(),
        compactions: 0,
    };
    let times = cycles::time(&mut kernel, &script).unwrap();
    assert_eq!(times.len(), 600);
    assert_eq!(
        kernel.compactions, 1,
        "600 sales write some 1,200 records: one compaction"
    );
}
