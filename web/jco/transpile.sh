#!/usr/bin/env bash
# Transpiles the kernel component (target/component/pos_kernel.wasm, built by
# scripts/build-component.sh) with jco into generated/ (git-ignored), and writes the component's
# resolved WIT types as JSON next to it for convert.mjs. Offline: jco comes from node_modules.
#
#   generated/kernel/    jco output, `--instantiation sync`: an instantiate(getCoreModule, imports)
#                        function instead of a module that instantiates itself once on import. Each
#                        call is a new component instance with the imports given to it, so every
#                        terminal (create or restore) gets a fresh security module with no keys,
#                        like a rebooted terminal. Sync, because replay.mjs's factory is synchronous.
#   generated/wit.json   `wasm-tools component wit --json` of the same component: the type graph
#                        that drives the serde <-> jco conversion (taken from the binary, so it
#                        cannot drift from what jco transpiled).
set -euo pipefail
cd "$(dirname "$0")"

component=../../target/component/pos_kernel.wasm
out=generated

die() {
  echo "transpile: $*" >&2
  exit 1
}

[[ -f $component ]] || die "$component not found: run scripts/build-component.sh first"
[[ -x node_modules/.bin/jco ]] || die "jco not installed: run web/jco/install.sh first"
command -v wasm-tools >/dev/null 2>&1 || die "wasm-tools not found (scripts/build-component.sh installs it)"

rm -rf "$out"
mkdir -p "$out"
node_modules/.bin/jco transpile "$component" --instantiation sync --name kernel --out-dir "$out/kernel" --quiet
wasm-tools component wit --json "$component" >"$out/wit.json"
echo "transpile: $out/kernel/kernel.js and $out/wit.json from $component"
