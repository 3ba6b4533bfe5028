#!/usr/bin/env bash
# Installs the Rust pieces the build and tests need, and SoftHSM2; idempotent. Called by demo.sh
# and test.sh.
set -euo pipefail
if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo not found: install Rust (rustup) first" >&2
  exit 1
fi
if command -v rustup >/dev/null 2>&1; then
  installed=$(rustup component list --installed 2>/dev/null || true)
  grep -q '^clippy' <<<"$installed" || rustup component add clippy
  grep -q '^rustfmt' <<<"$installed" || rustup component add rustfmt
  rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$' || rustup target add wasm32-unknown-unknown
fi
# SoftHSM2: posterm keeps the terminal's keys in a PKCS#11 token; the tests and the demo use a
# SoftHSM2 token of their own (host/pkcs11/README.md).
if ! command -v softhsm2-util >/dev/null 2>&1; then
  echo "== installing softhsm2 (apt-get)"
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq softhsm2 >/dev/null 2>&1 ||
    { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq softhsm2 >/dev/null; }
fi
