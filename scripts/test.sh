#!/usr/bin/env bash
# Every test: formatting, lints, unit and property tests, the vectors natively, vector drift,
# and the reconciliation property test (which prints its counts). Ends with one summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "== format and lints"
cargo fmt --all --check
cargo clippy --workspace --all-targets --quiet -- -D warnings

echo "== vector drift (tests/vectors must equal what the scenarios generate)"
cargo run --quiet -p pos-harness --bin gen-vectors -- --check

echo "== unit, property and vector tests (native)"
cargo test --workspace -- --skip ledger_reconciles_with_journal 2>&1 | tee -a "$log"

echo "== reconciliation property test"
cargo test --release -p pos-harness --test reconcile -- --nocapture 2>&1 | tee -a "$log"

echo "== summary"
awk '/^test result:/ { p += $4; f += $6 } END { printf "all tests: %d passed, %d failed\n", p, f }' "$log"
