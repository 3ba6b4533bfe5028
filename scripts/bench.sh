#!/usr/bin/env bash
# The benchmarks, from a fresh clone: builds what they need (the component, the wasm-bindgen
# module, the jco transpile, posterm in release, and a runtime-only posterm for its size), then
# prints the tables: `posterm bench` (kernel CPU per sale on five hosts, start-up, size,
# durability), the codec against pyiso8583 and iso_8583 (bench/codec/run.sh), and the fleet
# (`posterm farm` for 1, 10, 100 and 1000 terminals, journal on disk and on tmpfs).
# Figures, never pass/fail. Options: --quick (fewer cycles, smaller fleets), --no-runtime-only.
set -euo pipefail
cd "$(dirname "$0")/.."
quick=false
runtime_only=true
for arg in "$@"; do
  case "$arg" in
    --quick) quick=true ;;
    --no-runtime-only) runtime_only=false ;;
    -h | --help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench: unknown option $arg (see --help)" >&2; exit 2 ;;
  esac
done

bash scripts/setup.sh
bash scripts/build-component.sh >/dev/null
bash scripts/build-web.sh >/dev/null
(cd web/jco && bash install.sh && bash transpile.sh)
echo "== building posterm (release)"
cargo build --quiet --release -p pos-host --bin posterm
posterm=target/release/posterm
extra=()
if $runtime_only; then
  echo "== building a runtime-only posterm (no Cranelift; loads .cwasm only)"
  CARGO_TARGET_DIR=target/runtime-only cargo build --quiet --release -p pos-host --bin posterm --no-default-features
  extra+=(--runtime-only-exe target/runtime-only/release/posterm)
fi

echo "== machine"
echo "$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "$(uname -sr), rustc $(rustc --version | cut -d' ' -f2), node $(node --version)"

sales=2000
$quick && sales=300
"$posterm" bench --sales "$sales" "${extra[@]}"

if [[ -x bench/codec/run.sh || -f bench/codec/run.sh ]]; then
  bash bench/codec/run.sh
fi

if "$posterm" farm --help >/dev/null 2>&1; then
  fleets=(1 10 100 1000)
  $quick && fleets=(1 10)
  for where in disk tmpfs; do
    for n in "${fleets[@]}"; do
      if [[ $where == tmpfs ]]; then
        dir=$(mktemp -d /dev/shm/posterm-farm.XXXXXX)
      else
        dir=$(mktemp -d "$PWD/target/bench/farm.XXXXXX")
      fi
      "$posterm" farm --terminals "$n" --seconds 5 --journal-dir "$dir"
      rm -rf "$dir"
    done
  done
fi
