#!/usr/bin/env bash
# Codec throughput, side by side (issue 6 item 2): our Rust codec, pyiso8583 and iso_8583 (npm)
# encoding and decoding the sale request (0200) and reply (0210) of test vectors. See README.md.
#
# Usage: bench/codec/run.sh [VECTOR ...]   (names under tests/vectors/, default: the chip and the
#        magstripe sale). MIN_BATCH_MS (default 200) sets the shortest timed batch.
# Needs python3 (with venv and pip), node + npm, cargo. Installs into bench/codec/.venv and
# bench/codec/node_modules (both git-ignored). Exits 1 if pyiso8583's bytes are not identical to ours.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
MIN_BATCH_MS="${MIN_BATCH_MS:-200}"
VECTORS=("$@")
[ ${#VECTORS[@]} -gt 0 ] || VECTORS=(sale-approved-chip sale-approved-magstripe-pin)

cd "$HERE"
echo "== installing pyiso8583 (.venv) and iso_8583 (node_modules)" >&2
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt >&2
npm ci --no-audit --no-fund --loglevel=error >&2

echo "== building the Rust example (release)" >&2
(cd "$ROOT" && cargo build --release -p pos-kernel --example codec_bench >&2)
TARGET_DIR="$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
RUST_BENCH="$TARGET_DIR/release/examples/codec_bench"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

for name in "${VECTORS[@]}"; do
  vector="$ROOT/tests/vectors/${name%.json}.json"
  [ -f "$vector" ] || { echo "no such vector: $vector" >&2; exit 2; }
  fields="$WORK/$name.fields.json"
  echo "== $name: Rust" >&2
  "$RUST_BENCH" --json --vector "$vector" --fields-out "$fields" --min-batch-ms "$MIN_BATCH_MS" > "$WORK/$name.rust.json"
  echo "== $name: pyiso8583" >&2
  .venv/bin/python pyiso8583_bench.py --json --vector "$vector" --fields "$fields" --min-batch-ms "$MIN_BATCH_MS" > "$WORK/$name.py.json"
  echo "== $name: iso_8583" >&2
  node iso8583_bench.mjs --json --vector "$vector" --fields "$fields" --min-batch-ms "$MIN_BATCH_MS" > "$WORK/$name.js.json"
done

python3 - "$WORK" "${VECTORS[@]}" <<'EOF'
import json, os, sys

work, names = sys.argv[1], sys.argv[2:]
TARGET = 10.0
ok = True
below = []
for name in names:
    load = lambda lib: json.load(open(os.path.join(work, f"{name}.{lib}.json")))
    rust, py, js = load("rust"), load("py"), load("js")
    print(f"\n## {name}")
    print(f"request 0200 F{rust['request_fields']} ({rust['request_body_bytes']} body bytes); "
          f"reply 0210 F{rust['reply_fields']} ({rust['reply_body_bytes']} body bytes)")
    print(f"ours:      {rust['library']}")
    print(f"pyiso8583: {py['library']}")
    print(f"iso_8583:  {js['library']}")
    print()
    head = f"| {'operation (ISO body)':<20} | {'ours msgs/s':>12} | {'pyiso8583':>10} | {'ours/py':>8} | {'iso_8583':>10} | {'ours/js':>8} |"
    print(head)
    print("|" + "|".join("-" * (len(c)) for c in head.split("|")[1:-1]) + "|")
    for op in ("encode_request", "decode_request", "encode_reply", "decode_reply"):
        r_py, r_js = rust[op] / py[op], rust[op] / js[op]
        for lib, r in (("pyiso8583", r_py), ("iso_8583", r_js)):
            if r < TARGET:
                below.append(f"{name} {op} vs {lib}: {r:.1f}x")
        print(f"| {op:<20} | {rust[op]:>12,} | {py[op]:>10,} | {r_py:>7.1f}x | {js[op]:>10,} | {r_js:>7.1f}x |")
    print()
    print("Rust frame (2-byte length + TPDU + header + body):")
    for op in ("encode_request", "decode_request", "encode_reply", "decode_reply"):
        print(f"  {op + '_frame':<22} {rust[op + '_frame']:>12,} msgs/s")
    print()
    print(f"ours: decode-then-encode reproduces the vector's bytes: {'yes' if rust['roundtrip_identical'] else 'no'}")
    print(f"pyiso8583: identical bytes: {'yes' if py['identical_bytes'] else 'no'} "
          f"(request {'yes' if py['request_identical_bytes'] else 'no'}, reply {'yes' if py['reply_identical_bytes'] else 'no'}); "
          f"decodes our bytes to our fields: request {'yes' if py['request_decodes_ours'] else 'no'}, "
          f"reply {'yes' if py['reply_decodes_ours'] else 'no'}")
    print(f"iso_8583: identical bytes: {'yes' if js['identical_bytes'] else 'no'}; "
          f"decodes our bytes: request {'yes' if js['request_decodes_ours'] else 'no'}, reply {'yes' if js['reply_decodes_ours'] else 'no'}; "
          f"own encode-then-decode gives our fields: request {'yes' if js['request_own_roundtrip'] else 'no'}, "
          f"reply {'yes' if js['reply_own_roundtrip'] else 'no'}")
    for note in js["notes"]:
        print(f"  iso_8583 {note}")
    ok = ok and py["identical_bytes"] and py["request_decodes_ours"] and py["reply_decodes_ours"]

print()
print(f"target ours >= {TARGET:.0f}x each: " + ("met" if not below else "NOT met: " + "; ".join(below)))
sys.exit(0 if ok else 1)
EOF
