#!/usr/bin/env bash
# The JavaScript hosts: the kernel's unit tests compiled to wasm in Node (wasm-bindgen-test), the
# vectors through the wasm-bindgen build in Node and in every browser engine (headless Chromium,
# Firefox, WebKitGTK), the vectors through the component transpiled by jco in Node, the
# benchmark's JavaScript hosts on a recorded sale script, and the end-to-end browser tests.
# Installs what it needs: wasm-bindgen-cli (scripts/build-web.sh), npm packages (npm ci),
# Debian's chromium, firefox-esr, webkit2gtk-driver and xvfb (apt-get).
# Called by scripts/test.sh after the component is built; runs alone too.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

# Debian's chromium, firefox-esr and WebKitGTK's WebDriver (with Xvfb for its display), and a
# Chinese font so that the screenshots show 中文 rather than boxes.
packages=()
command -v chromium >/dev/null 2>&1 || [[ -n "${CHROMIUM:-}" ]] || packages+=(chromium)
command -v firefox-esr >/dev/null 2>&1 || [[ -n "${FIREFOX:-}" ]] || packages+=(firefox-esr)
command -v WebKitWebDriver >/dev/null 2>&1 || [[ -n "${WEBKIT_WEBDRIVER:-}" ]] || packages+=(webkit2gtk-driver)
command -v xvfb-run >/dev/null 2>&1 || packages+=(xvfb xauth)
fc-list 2>/dev/null | grep -qi "wenquanyi\|wqy" || packages+=(fonts-wqy-microhei)
if ((${#packages[@]})); then
  echo "== installing ${packages[*]} (apt-get)"
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${packages[@]}" >/dev/null
fi

[[ -f target/component/pos_kernel.wasm ]] || bash scripts/build-component.sh
bash scripts/build-web.sh
(cd web && npm ci --no-audit --no-fund --silent)

echo "== kernel unit tests compiled to wasm32, in Node (wasm-bindgen-test)"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER="${CARGO_HOME:-$HOME/.cargo}/bin/wasm-bindgen-test-runner" \
  cargo test -p pos-kernel --target wasm32-unknown-unknown

echo "== the TypeScript declarations (generated from the Rust types) under tsc --strict"
(cd web && npx tsc -p types)
echo "tsc --strict: web/types/check.ts type-checks against web/pkg/pos_kernel_web.d.ts"

echo "== the wasm-bindgen API in Node (errors, masking, a sale against the compiled-in acquirer)"
node --test --test-reporter=spec web/binding/test/

echo "== vectors: wasm-bindgen in Node"
node web/vectors/run-wasm-bindgen.mjs
echo "== vectors: wasm-bindgen in Node, the kernel alone (web/pkg-kernel, no simulated acquirer)"
node web/vectors/run-wasm-bindgen.mjs --kernel-only
echo "== vectors: wasm-bindgen in headless Chromium (V8), Firefox (SpiderMonkey, WebDriver BiDi) and WebKitGTK (JavaScriptCore, WebDriver under Xvfb)"
for browser in chromium firefox webkit; do
  node web/vectors/run-browser.mjs --browser "$browser"
done
echo "== vectors: the component through jco in Node"
bash web/jco/run.sh

echo "== the benchmark's JavaScript hosts replay 600 recorded sales, a compaction among them (web/bench/kernel.mjs; µs per sale, not checked)"
cargo run --quiet -p pos-tools --example sale_script -- 600 target/bench/sale-script-600.json
node web/bench/kernel.mjs target/bench/sale-script-600.json

echo "== end-to-end browser tests (screenshots in web/e2e/screenshots/; the main flows in Firefox and WebKit too)"
node --test --test-reporter=spec web/e2e/
