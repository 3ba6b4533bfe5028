#!/usr/bin/env bash
# The jco host end to end: install the pinned tools if needed, transpile the kernel component,
# test the JS security module (known answers) and the serde <-> jco conversion, then replay
# every vector. Ends with `jco (Node): N passed, N failed`; exit code 1 on any failure.
set -euo pipefail
cd "$(dirname "$0")"

bash install.sh
bash transpile.sh
node --test --test-reporter=spec security.test.mjs convert.test.mjs
node run-vectors.mjs
