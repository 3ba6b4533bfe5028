#!/usr/bin/env bash
# posterm as a vendor ships it on ARM terminals, emulated by qemu-user on this machine:
# - armv7 (32-bit, Cortex-A7 class): wasmtime runs the component on Pulley, precompiled here
#   for pulley32 (`posterm compile --target pulley32`);
# - aarch64: Cranelift's native code, precompiled here for aarch64-unknown-linux-gnu.
# For each: the runtime-only posterm (no Cranelift in it) with the tools, cross-compiled; every
# vector through it; posterm's process tests with the ARM posterm in a terminal directory of its
# own (its keys in SoftHSM2's ARM library): a day of sign-on, chip sale and settlement, sales
# killed with SIGKILL then reconciled with the acquirer's ledger, a reply past the timeout
# reversed, a reset connection, the acquirer killed mid-reply. The acquirer is this machine's
# posterm.
#
# Under qemu-user a 32-bit program cannot list a directory of this machine's disk (ext4's 64-bit
# directory cookies overflow its readdir: EOVERFLOW, and SoftHSM2 then sees no token), so the ARM
# terminal directories are on tmpfs (/dev/shm). A real armv7 terminal has no such limit.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-arm.sh

[[ -f target/component/pos_kernel.wasm ]] || bash scripts/build-component.sh
cargo build --quiet -p posterm
native=target/debug/posterm
work=$(mktemp -d /dev/shm/posterm-arm.XXXXXX)
trap 'rm -rf "$work"' EXIT

# target triple, what to precompile for, emulator, SoftHSM2's library for that architecture
hosts=(
  "armv7-unknown-linux-gnueabihf pulley32 qemu-arm target/arm/softhsm-armhf/usr/lib/arm-linux-gnueabihf/softhsm/libsofthsm2.so"
  "aarch64-unknown-linux-gnu aarch64-unknown-linux-gnu qemu-aarch64 target/arm/softhsm-arm64/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so"
)
for host in "${hosts[@]}"; do
  read -r triple cwasm_target qemu library <<<"$host"
  echo "== posterm for $triple (runtime-only, with the tools), run by $qemu"
  cargo build --quiet -p posterm --target "$triple" --no-default-features --features tools
  arm="target/$triple/debug/posterm"
  $native compile --target "$cwasm_target"

  echo "-- every vector"
  $qemu "$arm" vectors

  echo "-- posterm's process tests with this posterm: a day (sale, settlement), SIGKILL during sales, timeouts, resets"
  TMPDIR="$work" POSTERM_TEST_BIN="$qemu $PWD/$arm" POSTERM_TEST_PKCS11="$PWD/$library" \
    CRASH_ROUNDS="${ARM_CRASH_ROUNDS:-16}" CRASH_KILL_WITHIN_MS=4000 \
    cargo test --quiet -p posterm --test terminal_day --test crash -- --nocapture --test-threads 1 2>&1 |
    grep -E '(crash test|terminal day): |^test result:|FAILED|panicked'
done
