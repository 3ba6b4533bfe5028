//! `posterm farm` through its library function: a few terminals, a few sales each, every sale
//! approved and the ledger reconciled terminal by terminal.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[path = "../../host/tests/common/mod.rs"]
mod common;

use std::sync::Arc;

use pos_host::component_file;
use pos_host::runtime::Backend;
use pos_tools::farm::{self, FarmOptions, Length, Progress};

#[test]
fn four_terminals_five_sales_each_reconcile() {
    // The cached .cwasm (compiled once beside the component) keeps this fast.
    let runtime = component_file::load(
        &common::component_path(),
        Backend::Cranelift,
        component_file::test_keys(),
    )
    .unwrap();
    let dir = std::env::temp_dir().join(format!("pos-host-farm-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let options = FarmOptions {
        terminals: 4,
        length: Length::SalesPerTerminal(5),
        journal_dir: Some(dir.clone()),
        workers: Some(2),
        ..FarmOptions::default()
    };
    let mut last = None;
    let report = farm::run(Arc::new(runtime), &options, &mut |p| last = Some(p)).unwrap();

    assert_eq!(report.terminals, 4);
    assert_eq!(report.workers, 2);
    assert_eq!(report.sales, 20);
    assert_eq!(report.approved, 20, "{report:#?}");
    assert_eq!(report.host_errors, 0);
    assert!(report.reconciles, "{:#?}", report.differences);
    assert!(report.differences.is_empty());
    assert!(report.approved_amount >= 20 * 100);
    assert!(report.latency_ms.p50 > 0.0 && report.latency_ms.p50 <= report.latency_ms.max);
    // Every sale is journaled and synced (request sent, then its outcome).
    assert!(report.fsyncs_per_sale >= 1.0, "{report:#?}");
    assert!(report.journal_kept);
    assert!(matches!(
        last,
        Some(Progress::Selling {
            sales: 20,
            total: Some(20),
            ..
        })
    ));

    // One directory per terminal, each with its own journal.
    for i in 1..=4 {
        assert!(dir.join(format!("terminal-{i:04}")).join("journal.pjl").exists());
    }
    // The same directory again is refused: a farm needs fresh journals.
    let again = farm::run(
        Arc::new(
            component_file::load(
                &common::component_path(),
                Backend::Cranelift,
                component_file::test_keys(),
            )
            .unwrap(),
        ),
        &options,
        &mut |_| {},
    );
    assert!(again.unwrap_err().contains("already holds a journal"));
    let _ = std::fs::remove_dir_all(&dir);
}
