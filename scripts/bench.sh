#!/usr/bin/env bash
# The benchmarks, from a fresh clone: builds what they need (the component, the wasm-bindgen
# module, the jco transpile, posterm in release, and a runtime-only posterm for its size), then
# prints the tables: `posterm bench` (kernel CPU per sale on five hosts, start-up, size,
# durability), statement reconciliation at a merchant's scale, the codec against pyiso8583 and iso_8583 (bench/codec/run.sh), and the fleet
# (`posterm farm` for 1, 10, 100 and 1000 terminals against a `posterm acquirer` process, journal
# on disk and on tmpfs).
# Figures, never pass/fail. Options: --quick (fewer cycles, smaller fleets), --no-runtime-only,
# --arm (also `posterm bench --kernel-only` with the armv7 and aarch64 release builds under
# qemu-user: emulated figures, and the sizes of what ships on an ARM terminal).
set -euo pipefail
cd "$(dirname "$0")/.."
quick=false
runtime_only=true
arm=false
for arg in "$@"; do
  case "$arg" in
    --quick) quick=true ;;
    --arm) arm=true ;;
    --no-runtime-only) runtime_only=false ;;
    -h | --help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench: unknown option $arg (see --help)" >&2; exit 2 ;;
  esac
done

bash scripts/setup.sh
bash scripts/build-component.sh >/dev/null
bash scripts/build-web.sh >/dev/null
(cd web/jco && bash install.sh && bash transpile.sh)
echo "== building posterm (release)"
cargo build --quiet --release -p posterm
posterm=target/release/posterm
extra=()
if $runtime_only; then
  echo "== building a runtime-only posterm (no Cranelift; loads .cwasm only)"
  CARGO_TARGET_DIR=target/runtime-only cargo build --quiet --release -p posterm --no-default-features
  extra+=(--runtime-only-exe target/runtime-only/release/posterm)
fi

echo "== machine"
echo "$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "$(uname -sr), rustc $(rustc --version | cut -d' ' -f2), node $(node --version)"

sales=2000
rounds=5
$quick && sales=300 && rounds=2
"$posterm" bench --sales "$sales" --rounds "$rounds" "${extra[@]}"

if $arm; then
  bash scripts/setup-arm.sh
  "$posterm" compile --target pulley32 >/dev/null
  "$posterm" compile --target aarch64-unknown-linux-gnu >/dev/null
  for host in "armv7-unknown-linux-gnueabihf pulley32 qemu-arm arm-linux-gnueabihf" \
    "aarch64-unknown-linux-gnu aarch64-unknown-linux-gnu qemu-aarch64 aarch64-linux-gnu"; do
    read -r triple cwasm_target qemu gnu <<<"$host"
    echo "== $triple: what ships, and posterm bench --kernel-only under $qemu (EMULATED: how the back ends compare, not how fast a terminal is)"
    out="target/bench/$triple"
    mkdir -p "$out"
    # What a vendor ships: posterm without the tools and Cranelift, and the C example on libposkernel, stripped.
    cargo build --quiet --release -p posterm --target "$triple" --no-default-features
    cp "target/$triple/release/posterm" "$out/posterm-vendor"
    "$gnu-strip" "$out/posterm-vendor"
    cargo build --quiet --release -p pos-capi --target "$triple" --no-default-features
    "$gnu-gcc" -std=c11 -O2 -Ihost/capi/include examples/c/terminal.c "target/$triple/release/libposkernel.a" \
      -Wl,--gc-sections -lpthread -ldl -lm -o "$out/terminal"
    "$gnu-strip" "$out/terminal"
    echo "sizes: posterm (vendor build, stripped) $(stat -c %s "$out/posterm-vendor") bytes;" \
      "the C example, stripped $(stat -c %s "$out/terminal") bytes;" \
      "pos_kernel.$cwasm_target.cwasm $(stat -c %s "target/component/pos_kernel.$cwasm_target.cwasm") bytes"
    cargo build --quiet --release -p posterm --target "$triple" --no-default-features --features tools
    $qemu "target/$triple/release/posterm" bench --kernel-only --sales "$sales" --rounds "$rounds"
  done
fi

echo "== statement reconciliation (the kernel's matcher; 1,000 terminals x 500 a day x 7 days, and one terminal's day)"
if $quick; then
  cargo run --quiet --release -p pos-tools --example statement_match -- 100 500 7
else
  cargo run --quiet --release -p pos-tools --example statement_match
fi

if [[ -x bench/codec/run.sh || -f bench/codec/run.sh ]]; then
  bash bench/codec/run.sh
fi

# The fleet against a `posterm acquirer` process on loopback, a fresh one for each row (so each
# row's ledger holds only its own sales), with card balances that last a long run.
acquirer_pid=""
stop_acquirer() {
  if [[ -n "$acquirer_pid" ]]; then
    kill "$acquirer_pid" 2>/dev/null || true
    wait "$acquirer_pid" 2>/dev/null || true
    acquirer_pid=""
  fi
}
trap stop_acquirer EXIT
start_acquirer() {
  local log
  log=$(mktemp)
  "$posterm" acquirer --listen 127.0.0.1:0 --balance-factor 1000 >"$log" 2>&1 &
  acquirer_pid=$!
  acquirer_address=""
  for _ in $(seq 100); do
    acquirer_address=$(sed -n 's/^simulated acquirer listening on //p' "$log")
    [[ -n "$acquirer_address" ]] && break
    sleep 0.1
  done
  # Its ledger rows are not needed here; the farm reads the ledger over the control connection.
  rm -f "$log"
  [[ -n "$acquirer_address" ]] || { echo "bench: posterm acquirer did not start" >&2; exit 1; }
}

fleets=(1 10 100 1000)
$quick && fleets=(1 10)
# 1000 terminals need some 2000 open files in the farm and 3000 in the acquirer.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
for where in disk tmpfs; do
  for n in "${fleets[@]}"; do
    if [[ $where == tmpfs ]]; then
      dir=$(mktemp -d /dev/shm/posterm-farm.XXXXXX)
    else
      dir=$(mktemp -d "$PWD/target/bench/farm.XXXXXX")
    fi
    start_acquirer
    "$posterm" farm --terminals "$n" --seconds 5 --journal-dir "$dir" --acquirer "$acquirer_address"
    stop_acquirer
    rm -rf "$dir"
  done
done
