#!/usr/bin/env bash
# What a terminal vendor builds: posterm without its default features (no tools, no Cranelift),
# over pos-host. It must compile, and neither it nor pos-host may link the test crates (the
# harness, the simulated acquirer, its TCP server) or the tools.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo clippy --quiet -p posterm --no-default-features -- -D warnings
status=0
for package in "posterm --no-default-features" "pos-host"; do
  # shellcheck disable=SC2086 # the features word is meant to split
  linked=$(cargo tree -p $package -e normal,build --prefix none | grep -E '^pos-(harness|acquirer-sim|acquirer-server|tools) ' || true)
  if [[ -n "$linked" ]]; then
    echo "vendor build: $package links test code:" >&2
    echo "$linked" >&2
    status=1
  else
    # shellcheck disable=SC2086
    ours=$(cargo tree -p $package -e normal,build --prefix none | grep -o '^pos-[a-z0-9-]*' | sort -u | tr '\n' ' ')
    echo "vendor build: $package links no test crate (ours: ${ours% })"
  fi
done
exit $status
