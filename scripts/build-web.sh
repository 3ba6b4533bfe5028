#!/usr/bin/env bash
# Builds the kernel for JavaScript with wasm-bindgen: web/pkg/ (pos_kernel_web.js, its .d.ts,
# pos_kernel_web_bg.wasm, package.json), one ES module for the browser and Node alike, with the
# simulated acquirer compiled in for the demo; and web/pkg-kernel/, the same without the
# acquirer (the kernel alone, as a vendor embeds it). Installs what it needs (the wasm32 target,
# wasm-bindgen-cli 0.2.130, wasm-opt); idempotent.
#
#   module      cargo, target wasm32-unknown-unknown, profile release-wasm (opt-level "s")
#   bindings    wasm-bindgen --target web: the browser fetches the .wasm; Node passes its bytes
#               to initSync (see web/README.md)
#   optimized   wasm-opt -Os (npm binaryen, pinned in component/tools/node)
set -euo pipefail
cd "$(dirname "$0")/.."
script=build-web
echo "== tools"
# shellcheck source=scripts/lib/wasm-build.sh
source scripts/lib/wasm-build.sh

# The CLI must be exactly the version of the wasm-bindgen crate (web/binding/Cargo.toml).
wasm_bindgen_version=0.2.130
out="$root/web/pkg"
wasm_bindgen="$cargo_bin/wasm-bindgen"
if [[ "$("$wasm_bindgen" --version 2>/dev/null || true)" != "wasm-bindgen $wasm_bindgen_version" ]]; then
  # Not --locked: the CLI's lockfile names a crate version the registry mirror lacks.
  cargo install wasm-bindgen-cli --version "$wasm_bindgen_version"
fi
echo "$("$wasm_bindgen" --version), $("$wasm_opt" --version)"

# One variant: its cargo features, its output folder, its package description.
build_variant() {
  local features=$1 out=$2 description=$3
  echo "== module ($out)"
  # shellcheck disable=SC2086 # $features is empty or one flag
  cargo build --profile "$profile" -p pos-kernel-web --target "$target" $features
  target_dir=$(cargo metadata --format-version 1 --no-deps | node -p "JSON.parse(require('fs').readFileSync(0)).target_directory")
  module="$target_dir/$target/$profile/pos_kernel_web.wasm"
  [[ -f "$module" ]] || die "no module at $module"

  echo "== bindings ($out)"
  rm -rf "$out"
  "$wasm_bindgen" --target web --out-dir "$out" --out-name pos_kernel_web "$module"
  raw=$(wc -c <"$out/pos_kernel_web_bg.wasm")
  # The same features as the component build (what rustc enables by default for wasm32).
  "$wasm_opt" -Os \
    --enable-bulk-memory --enable-bulk-memory-opt --enable-sign-ext --enable-mutable-globals \
    --enable-nontrapping-float-to-int --enable-multivalue --enable-reference-types \
    --enable-call-indirect-overlong \
    "$out/pos_kernel_web_bg.wasm" -o "$out/pos_kernel_web_bg.wasm"
  version=$(cargo metadata --format-version 1 --no-deps |
    node -p "JSON.parse(require('fs').readFileSync(0)).packages.find(p => p.name === 'pos-kernel-web').version")
  cat >"$out/package.json" <<JSON
{
  "name": "pos-kernel-web",
  "version": "$version",
  "description": "$description",
  "type": "module",
  "main": "pos_kernel_web.js",
  "types": "pos_kernel_web.d.ts",
  "files": ["pos_kernel_web.js", "pos_kernel_web.d.ts", "pos_kernel_web_bg.wasm", "pos_kernel_web_bg.wasm.d.ts"],
  "sideEffects": false
}
JSON

  echo "== sizes (bytes, $out)"
  echo "wasm-bindgen module, raw:          $raw"
  echo "wasm-bindgen module, optimized:    $(wc -c <"$out/pos_kernel_web_bg.wasm")"
  echo "wasm-bindgen module, gzip -9:      $(gzip -9 -c "$out/pos_kernel_web_bg.wasm" | wc -c)"
  echo "built $out"
}

# The kernel alone, as a vendor embeds it (Terminal, decodeFrame, decodeRecord).
build_variant --no-default-features "$root/web/pkg-kernel" \
  "The POS payment kernel for JavaScript (browser and Node): Terminal and frame decoder"
# Last, so that target/ holds the full module afterwards: the demo's and the tests' build, with
# the simulated acquirer and its test cards.
build_variant "" "$out" \
  "The POS payment kernel for JavaScript (browser and Node): Terminal, simulated Acquirer, frame decoder"
