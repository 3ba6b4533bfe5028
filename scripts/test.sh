#!/usr/bin/env bash
# Every test on every host so far: formatting, lints, vector drift, unit and property tests, the
# vectors natively and through the kernel component in wasmtime (Cranelift and Pulley), the
# journal crash model, the network tests, the real-process crash tests and the reconciliation
# property test. Installs what it needs (Rust components, the wasm target, wasm-tools, binaryen)
# and ends with one summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "== the kernel component (wasm32-unknown-unknown + component encoding, imports checked)"
bash scripts/build-component.sh

echo "== format and lints"
cargo fmt --all --check
cargo clippy --workspace --all-targets --quiet -- -D warnings

echo "== vector drift (tests/vectors must equal what the scenarios generate)"
cargo run --quiet -p pos-harness --bin gen-vectors -- --check

echo "== unit, property and vector tests (native and component)"
cargo test --workspace -- --skip ledger_reconciles_with_journal --skip sigkill_during_sales 2>&1 | tee -a "$log"

echo "== posterm vectors through the component"
cargo run --quiet -p pos-host --bin posterm -- vectors 2>&1 | tee -a "$log"
cargo run --quiet -p pos-host --bin posterm -- vectors --pulley 2>&1 | tee -a "$log"

echo "== real processes killed with SIGKILL during sales"
cargo test -p pos-host --test crash -- sigkill_during_sales --nocapture 2>&1 | tee -a "$log"

echo "== reconciliation property test"
cargo test --release -p pos-harness --test reconcile -- --nocapture 2>&1 | tee -a "$log"

echo "== summary"
awk '/^test result:/ { p += $4; f += $6 } / passed, [0-9]+ failed$/ && !/^test result/ { sub(/.*: /, ""); p += $1; f += $3 }
     END { printf "all tests: %d passed, %d failed\n", p, f }' "$log"
