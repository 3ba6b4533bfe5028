#!/usr/bin/env bash
# Every test on every host: formatting, lints, vector drift, unit and property tests, the vectors
# on every host (native; the component in wasmtime on Cranelift and on Pulley; posterm
# cross-built for armv7 (Pulley) and aarch64 (Cranelift) and run under qemu-user; the
# wasm-bindgen build in Node, its kernel-alone module in Node, and in headless Chromium,
# Firefox and WebKit; the component through jco in Node), the kernel's unit tests compiled to wasm, the journal crash
# model (opaque records, and a whole terminal day crashed at every sync point of the real
# journal), the network tests, the real-process crash tests (also with the ARM builds), one
# writer per terminal and operator truth with real processes, the reconciliation property test,
# the keys in a SoftHSM2 token, the search for clear card data, PINs and keys in everything
# written (vectors, a posterm day, the browser's IndexedDB), the end-to-end browser tests, and a
# 60 s fuzzing pass per target, the C API (header drift, the C example natively and on armv7).
# Installs what it needs (Rust components and targets, wasm-tools,
# binaryen, wasm-bindgen-cli, cargo-fuzz, cbindgen, npm packages, Debian's softhsm2, chromium,
# the ARM cross compilers, qemu-user and ARM libraries: scripts/setup-arm.sh) and ends with a table of
# vectors passed per host.
set -euo pipefail
cd "$(dirname "$0")/.."
# A fresh clone builds once: incremental caches would only take disk (2 GB) and time.
if [ "${CI:-}" = true ]; then export CARGO_INCREMENTAL=0; fi
bash scripts/setup.sh

log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "== the kernel component (wasm32-unknown-unknown + component encoding, imports checked)"
bash scripts/build-component.sh

echo "== format and lints"
cargo fmt --all --check
cargo clippy --workspace --all-targets --quiet -- -D warnings

echo "== the vendor build: posterm without the tools links no test crate"
bash scripts/check-vendor-build.sh

echo "== vector drift (tests/vectors must equal what the scenarios generate)"
cargo run --quiet -p pos-harness --bin gen-vectors -- --check

echo "== unit, property and vector tests (native and component)"
cargo test --workspace -- --skip ledger_reconciles_with_journal --skip sigkill_during_sales \
  --skip every_vector_replays_natively --skip at_every_crash_point --skip crashed_at_every_sync_point \
  2>&1 | tee -a "$log"

echo "== vectors natively"
cargo test -p pos-harness --test vectors -- --exact every_vector_replays_natively --nocapture 2>&1 | tee -a "$log"

echo "== posterm vectors through the component"
cargo run --quiet -p posterm -- vectors 2>&1 | tee -a "$log"
cargo run --quiet -p posterm -- vectors --pulley 2>&1 | tee -a "$log"

echo "== the journal crashed at every sync point (storage model that keeps only what was synced)"
cargo test -p pos-journal --test crash -- at_every_crash_point --nocapture 2>&1 | grep -v '^random seed' | tee -a "$log"
cargo test -p pos-host --test journal_day -- crashed_at_every_sync_point --nocapture 2>&1 | tee -a "$log"

echo "== real processes killed with SIGKILL during sales"
cargo test -p posterm --test crash -- sigkill_during_sales --nocapture 2>&1 | tee -a "$log"

echo "== reconciliation property test"
cargo test --release -p pos-harness --test reconcile -- --nocapture 2>&1 | tee -a "$log"

echo "== posterm on 32-bit and 64-bit ARM, under qemu-user (scripts/test-arm.sh)"
bash scripts/test-arm.sh 2>&1 | tee -a "$log"

echo "== the C API and the C example, natively and on armv7 under qemu-arm (scripts/test-c.sh)"
bash scripts/test-c.sh 2>&1 | tee -a "$log"

echo "== the JavaScript hosts and the browser tests"
bash scripts/test-web.sh 2>&1 | tee -a "$log"

echo "== fuzzing: 60 s per target (fuzz/, scripts/fuzz.sh)"
bash scripts/fuzz.sh "${FUZZ_SECONDS:-60}" 2>&1 | tee -a "$log"

echo "== summary"
# Each vector a host replays counts as one test; node:test reports "ℹ pass N" (or "# pass N").
awk '/^test result:/ { p += $4; f += $6 }
     /: [0-9]+ passed, [0-9]+ failed$/ && !/^test result/ { sub(/.*: /, ""); p += $1; f += $3 }
     /^(ℹ|#) pass [0-9]+$/ { p += $3 } /^(ℹ|#) fail [0-9]+$/ { f += $3 }
     END { printf "all tests: %d passed, %d failed\n", p, f }' "$log"
echo
echo "vectors per host:"
awk 'match($0, /^(native|component \(wasmtime, [A-Za-z]+\)|posterm on [a-z0-9_]+ \(wasmtime, [A-Za-z]+\)|C example \([a-z0-9_, ]+\)|wasm-bindgen \([A-Za-z, ]+\)|jco \(Node\)): [0-9]+ passed, [0-9]+ failed$/) {
       host = $0; sub(/: [0-9]+ passed.*/, "", host)
       counts = $0; sub(/.*: /, "", counts); split(counts, c, " ")
       printf "  %-42s %4d passed  %d failed\n", host, c[1], c[3] }' "$log"
echo
grep -E '^C terminal loop \(' "$log" || true
