#!/usr/bin/env bash
# Installs jco and des.js at the versions package-lock.json pins; idempotent.
#
# `npm ci` refuses this lock on registry mirrors that lack some optional platform packages (see
# README.md); `npm install --no-save` then installs the same locked versions and leaves
# package-lock.json untouched. npm ci's long usage text is kept out of the log.
set -euo pipefail
cd "$(dirname "$0")"
[[ -x node_modules/.bin/jco ]] && exit 0
if ! npm ci --prefer-offline --no-audit --no-fund --loglevel=error >npm-ci.log 2>&1; then
  echo "web/jco: npm ci refused the lock ($(grep -m1 -o 'Missing: [^ ]*' npm-ci.log || echo 'see npm-ci.log')...);" \
    "installing the locked versions with npm install --no-save" >&2
  npm install --no-save --prefer-offline --no-audit --no-fund --loglevel=error
fi
rm -f npm-ci.log
