#!/usr/bin/env bash
# Builds the kernel as a WebAssembly component: target/component/pos_kernel.wasm (the host loads it
# from there). Installs what it needs (the wasm32 target, wasm-tools, wasm-opt); idempotent; runs
# from any directory. Needs rustup + cargo and node + npm.
#
#   core module   cargo, target wasm32-unknown-unknown (no WASI: the module imports only the
#                 component's own imports), profile release-wasm (opt-level "s": see Cargo.toml)
#   optimized     wasm-opt -Os on the CORE module (wasm-opt does not read components); binaryen
#                 from npm, pinned in component/tools/node (Debian's binaryen is too old)
#   component     wasm-tools component new, from the bindings' component-type section
#   checks        wasm-tools validate; the world may import only the security interface (and the
#                 types-only interface `types` that the WIT contract makes every world import)
set -euo pipefail
cd "$(dirname "$0")/.."
script=build-component
echo "== tools"
# shellcheck source=scripts/lib/wasm-build.sh
source scripts/lib/wasm-build.sh

# wasm-tools of the same release line as wit-bindgen 0.61 (both on wit-component 0.258).
wasm_tools_version=1.258.3
out="$root/target/component"

# Called by its full path so that another wasm-tools earlier in PATH cannot stand in for it.
wasm_tools="$cargo_bin/wasm-tools"
if [[ "$("$wasm_tools" --version 2>/dev/null || true)" != "wasm-tools $wasm_tools_version"* ]]; then
  cargo install wasm-tools --version "$wasm_tools_version" --locked ||
    cargo install wasm-tools --version "$wasm_tools_version"
fi

echo "$("$wasm_tools" --version), $("$wasm_opt" --version)"

echo "== core module"
cargo build --profile "$profile" -p pos-kernel-component --target "$target"
target_dir=$(cargo metadata --format-version 1 --no-deps | node -p "JSON.parse(require('fs').readFileSync(0)).target_directory")
core="$target_dir/$target/$profile/pos_kernel_component.wasm"
[[ -f "$core" ]] || die "no core module at $core"

# Anything but the component's own imports (WASI, `env`, ...) means the build went wrong.
bad_core_imports=$("$wasm_tools" print "$core" |
  grep -o '(import "[^"]*"' | sort -u |
  grep -v -e '"pos:kernel/security@0.5.0"' -e '"\[export\]pos:kernel/terminal-api@0.5.0"' || true)
[[ -z "$bad_core_imports" ]] || die "the core module has foreign imports:"$'\n'"$bad_core_imports"

echo "== component"
mkdir -p "$out"
"$wasm_tools" component new "$core" -o "$out/pos_kernel.raw.wasm"
# Features: what rustc enables by default for wasm32 (the module's target_features section), so
# wasm-opt accepts every instruction rustc emitted and may use them in its output.
"$wasm_opt" -Os \
  --enable-bulk-memory --enable-bulk-memory-opt --enable-sign-ext --enable-mutable-globals \
  --enable-nontrapping-float-to-int --enable-multivalue --enable-reference-types \
  --enable-call-indirect-overlong \
  "$core" -o "$out/pos_kernel.core.wasm"
"$wasm_tools" component new "$out/pos_kernel.core.wasm" -o "$out/pos_kernel.wasm"

echo "== checks"
for component in "$out/pos_kernel.raw.wasm" "$out/pos_kernel.wasm"; do
  "$wasm_tools" validate --features component-model "$component"
done
wit=$("$wasm_tools" component wit "$out/pos_kernel.wasm")
imports=$(awk '/^world /{w=1} w && /^[[:space:]]*import /{print $2} w && /^}/{w=0}' <<<"$wit")
exports=$(awk '/^world /{w=1} w && /^[[:space:]]*export /{print $2} w && /^}/{w=0}' <<<"$wit")
unexpected=$(grep -v -x -e 'pos:kernel/security@0.5.0;' -e 'pos:kernel/types@0.5.0;' <<<"$imports" || true)
[[ -z "$unexpected" ]] || die "the component imports more than the security interface:"$'\n'"$unexpected"
grep -qx 'pos:kernel/security@0.5.0;' <<<"$imports" || die "the component does not import pos:kernel/security@0.5.0"
[[ "$exports" == 'pos:kernel/terminal-api@0.5.0;' ]] ||
  die "the component must export exactly pos:kernel/terminal-api@0.5.0, found:"$'\n'"$exports"
# `types` is imported because terminal-api uses its types; it must stay types only (no functions).
types_funcs=$(awk '/^[[:space:]]*interface types \{/{t=1} t && /func\(/{print} t && /^  \}/{t=0}' <<<"$wit")
[[ -z "$types_funcs" ]] || die "the imported interface types has functions:"$'\n'"$types_funcs"
echo "world: imports $(tr '\n' ' ' <<<"$imports")exports $exports"

echo "== sizes (bytes)"
echo "component, raw:       $(wc -c <"$out/pos_kernel.raw.wasm")"
echo "component, optimized: $(wc -c <"$out/pos_kernel.wasm")"
echo "built $out/pos_kernel.wasm"
