#!/usr/bin/env bash
# The browser virtual terminal: builds the wasm-bindgen module (web/pkg) and serves web/ on
# http://127.0.0.1:8080/app/ (PORT=... to change the port). Ctrl-C stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build-web.sh
exec node web/serve.mjs --port "${PORT:-8080}"
