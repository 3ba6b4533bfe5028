#!/usr/bin/env bash
# The demo: one terminal day against the in-process simulated acquirer.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo run --quiet --release -p pos-harness --bin terminal-day
