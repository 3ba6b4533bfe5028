#!/usr/bin/env bash
# The jco host end to end: install the pinned tools if needed, transpile the kernel component,
# test the JS security module (known answers) and the serde <-> jco conversion, then replay
# every vector. Ends with `jco (Node): N passed, N failed`; exit code 1 on any failure.
set -euo pipefail
cd "$(dirname "$0")"

if [[ ! -d node_modules ]]; then
  # `npm ci` refuses a lock file that lacks optional platform packages the registry does not
  # have (see README.md). `npm install --no-save` then installs the same locked versions and
  # leaves package-lock.json untouched.
  npm ci --prefer-offline --no-audit --no-fund ||
    { echo "run: npm ci failed; installing the locked versions with npm install --no-save" >&2
      npm install --no-save --prefer-offline --no-audit --no-fund; }
fi
bash transpile.sh
node --test --test-reporter=spec security.test.mjs convert.test.mjs
node run-vectors.mjs
