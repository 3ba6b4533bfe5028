#!/usr/bin/env bash
# Runs every fuzz target (fuzz/fuzz_targets/) for SECONDS each (default 60) with cargo-fuzz on
# stable Rust (`-s none`: libFuzzer's coverage-guided search without a sanitizer, which needs
# nightly), starting from the committed seeds in fuzz/corpus/<target>/. What a run adds to the
# corpus goes to a temporary directory, so the repository is left as it was. A crash fails the
# script and leaves its input in fuzz/artifacts/<target>/ (turn it into a test: see
# kernel/tests/fuzz_findings.rs). Installs cargo-fuzz if it is missing. Ends with a table of
# runs, executions per second and coverage per target.
#
#   bash scripts/fuzz.sh            # 60 s per target (what scripts/test.sh runs)
#   bash scripts/fuzz.sh 600        # longer
#   bash scripts/fuzz.sh 60 codec_roundtrip terminal_steps   # some targets
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
if ((${#targets[@]} == 0)); then
  targets=(codec_roundtrip reply_validation journal_records journal_file json_inputs terminal_steps)
fi

cargo_fuzz_version=0.13.2
if [[ "$(cargo fuzz --version 2>/dev/null || true)" != "cargo-fuzz $cargo_fuzz_version" ]]; then
  echo "== installing cargo-fuzz $cargo_fuzz_version"
  cargo install cargo-fuzz --version "$cargo_fuzz_version"
fi

echo "== building the fuzz targets (release, no sanitizer)"
(cd fuzz && cargo fuzz build -s none)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
summary=()
for target in "${targets[@]}"; do
  echo "== $target: $seconds s"
  mkdir -p "$work/$target" "fuzz/corpus/$target"
  log="$work/$target.log"
  if ! (cd fuzz && cargo fuzz run -s none "$target" "$work/$target" "corpus/$target" -- \
    -max_total_time="$seconds" -print_final_stats=1) >"$log" 2>&1; then
    tail -40 "$log"
    echo "fuzz: $target failed; the input is in fuzz/artifacts/$target/" >&2
    exit 1
  fi
  runs=$(grep -o 'Done [0-9]* runs' "$log" | awk '{print $2}')
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' <<<"$done_line" | awk '{print $2}')
  ft=$(grep -o 'ft: [0-9]*' <<<"$done_line" | awk '{print $2}')
  corp=$(grep -o 'corp: [0-9]*' <<<"$done_line" | awk '{print $2}')
  rate=$(grep -o 'exec/s: [0-9]*' <<<"$done_line" | awk '{print $2}')
  summary+=("$(printf '  %-18s %12s runs  %9s exec/s  coverage %5s edges, %6s features  corpus %5s' \
    "$target" "${runs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}")")
done

echo "== fuzzing: $seconds s per target, no crash"
printf '%s\n' "${summary[@]}"
