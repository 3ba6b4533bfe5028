#!/usr/bin/env bash
# The demo: a whole terminal day through the kernel component in wasmtime (posterm), on loopback
# against an embedded simulated acquirer. Builds what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build-component.sh
cargo run --quiet --release -p posterm -- demo
