# Sourced (from the repository root) by build-component.sh and build-web.sh: what both need
# before they build the kernel for wasm. The caller sets `script` (its name, for messages).
# Sets root, target, profile, cargo_bin, node_tools and wasm_opt, defines die, checks cargo and
# npm, adds the wasm32 target, and installs binaryen's wasm-opt at the version that
# component/tools/node/package-lock.json pins (Debian's binaryen is too old).
root=$(pwd)
target=wasm32-unknown-unknown
# opt-level "s": see the workspace Cargo.toml.
profile=release-wasm
cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
node_tools="$root/component/tools/node"

die() {
  echo "$script: $*" >&2
  exit 1
}

command -v cargo >/dev/null 2>&1 || die "cargo not found: install Rust (rustup) first"
command -v npm >/dev/null 2>&1 || die "npm not found: install Node.js (node + npm) first"

if command -v rustup >/dev/null 2>&1; then
  rustup target list --installed | grep -qx "$target" || rustup target add "$target"
fi

binaryen_version=$(cd "$node_tools" && node -p "require('./package-lock.json').packages['node_modules/binaryen'].version")
wasm_opt="$node_tools/node_modules/.bin/wasm-opt"
if [[ "$("$wasm_opt" --version 2>/dev/null || true)" != "wasm-opt version ${binaryen_version%%.*} "* ]]; then
  (cd "$node_tools" && npm ci --no-audit --no-fund)
fi
