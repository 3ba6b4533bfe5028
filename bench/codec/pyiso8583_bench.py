#!/usr/bin/env python3
"""Codec throughput of pyiso8583 on the cup-pos sale request (0200) and reply (0210).

Usage: pyiso8583_bench.py [--json] [--vector PATH] [--fields PATH] [--min-batch-ms N]

The message is the ISO body (MTI + bitmap + fields) of the sale in a test vector, configured
with SPEC below, which is docs/profile.md §2 in pyiso8583's terms. --fields is the file
`codec_bench --fields-out` writes: the fields as our Rust codec decoded them. With it, the
checks are the ones that matter: pyiso8583 encodes those fields to exactly our bytes, and
decodes our bytes to exactly those fields. Without it, only decode-then-encode is checked.

Method (the same as kernel/examples/codec_bench.rs): a batch of N operations, N doubling from
1 until a batch takes at least --min-batch-ms (default 200); then 5 batches of N are timed and
the median rate, in messages per second, is reported.
"""

import argparse
import json
import os
import sys
import time

import iso8583

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_VECTOR = os.path.normpath(os.path.join(HERE, "..", "..", "tests", "vectors", "sale-approved-chip.json"))
REPEATS = 5


def numeric(max_len, len_type=0, align="right"):
    """n: packed BCD, length counted in digits. Fixed odd lengths are right-aligned (pad nibble
    on the left) unless align="left"; variable ones are left-aligned (pad nibble on the right).
    LL = 1-byte BCD prefix (len_type 1), LLL = 2-byte BCD prefix (len_type 2)."""
    pad = "left_pad" if (len_type == 0 and align == "right") else "right_pad"
    return {"data_enc": "b", "len_enc": "bcd", "len_type": len_type, "max_len": max_len,
            "len_count": "nibbles", pad: "0"}


def track(max_len, len_type):
    """z: like a variable n field; the value carries 'D' where the track has '=' (pyiso8583
    packs hex digits, so the caller maps '=' <-> 'D')."""
    return numeric(max_len, len_type)


def text(max_len, len_type=0):
    """an / ans: ASCII; the prefix of a variable one counts bytes, in BCD."""
    return {"data_enc": "ascii", "len_enc": "bcd", "len_type": len_type, "max_len": max_len}


def binary(max_len, len_type=0):
    """b: raw bytes (a hex string in pyiso8583); the prefix counts bytes, in BCD."""
    return {"data_enc": "b", "len_enc": "bcd", "len_type": len_type, "max_len": max_len}


LL, LLL = 1, 2

# docs/profile.md §1-2. No "1" (secondary bitmap): bit 1 is never set in cup-pos.
SPEC = {
    "h": {"data_enc": "b", "len_enc": "bcd", "len_type": 0, "max_len": 0},  # no header in the body
    "t": {"data_enc": "b", "len_enc": "bcd", "len_type": 0, "max_len": 2},  # MTI, 2 bytes BCD
    "p": {"data_enc": "b", "len_enc": "bcd", "len_type": 0, "max_len": 8},  # primary bitmap, binary
    "2": numeric(19, LL),
    "3": numeric(6),
    "4": numeric(12),
    "11": numeric(6),
    "12": numeric(6),
    "13": numeric(4),
    "14": numeric(4),
    "15": numeric(4),
    "22": numeric(3, align="left"),
    "23": numeric(3),
    "25": numeric(2),
    "26": numeric(2),
    "32": numeric(11, LL),
    "35": track(37, LL),
    "36": track(104, LLL),
    "37": text(12),
    "38": text(6),
    "39": text(2),
    "41": text(8),
    "42": text(15),
    "44": text(25, LL),
    "48": numeric(322, LLL),
    "49": text(3),
    "52": binary(8),
    "53": numeric(16),
    "54": text(20, LLL),
    "55": binary(255, LLL),
    "60": numeric(17, LLL),
    "61": numeric(29, LLL),
    "62": binary(512, LLL),
    "63": text(163, LLL),
    "64": binary(8),
}
TRACK_FIELDS = ("35", "36")


def to_library(message):
    """Our neutral form (codec_bench --fields-out) -> a pyiso8583 dict."""
    doc = {"t": message["mti"]}
    for field, value in message["fields"].items():
        doc[field] = value.replace("=", "D") if field in TRACK_FIELDS else value
    return doc


def from_library(doc):
    """A decoded pyiso8583 dict -> our neutral form."""
    fields = {}
    for field, value in doc.items():
        if field.isdigit():
            fields[field] = value.replace("D", "=") if field in TRACK_FIELDS else value
    return {"mti": doc["t"], "fields": fields}


def sale_bodies(vector):
    """The sale's request body (the transmit after the sale command) and its reply (the next
    receive), without the 2-byte length, TPDU and header."""
    steps = vector["steps"]
    start = next(i for i, s in enumerate(steps)
                 if isinstance(s["input"], dict) and "sale" in (s["input"].get("command") or {}))
    request = None
    for step in steps[start:]:
        if request is None:
            request = next((e["transmit"] for e in step["expect"] if "transmit" in e), None)
        elif isinstance(step["input"], dict) and "receive" in step["input"]:
            return bytes.fromhex(request)[13:], bytes.fromhex(step["input"]["receive"])[13:]
    raise SystemExit("no transmit followed by a receive after the sale command")


def rate(min_batch, op):
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            op()
        if time.perf_counter() - start >= min_batch:
            break
        n *= 2
    rates = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        for _ in range(n):
            op()
        rates.append(n / (time.perf_counter() - start))
    rates.sort()
    return rates[REPEATS // 2]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--vector", default=DEFAULT_VECTOR)
    ap.add_argument("--fields", help="codec_bench --fields-out file (our codec's decoding)")
    ap.add_argument("--min-batch-ms", type=float, default=200)
    args = ap.parse_args()

    with open(args.vector) as f:
        request_body, reply_body = sale_bodies(json.load(f))
    bodies = {"request": request_body, "reply": reply_body}

    checks = {}
    docs = {}
    for kind, body in bodies.items():
        decoded, _ = iso8583.decode(body, SPEC)
        ours = from_library(decoded)
        if args.fields:
            with open(args.fields) as f:
                expected = json.load(f)[kind]
            if bytes.fromhex(expected["body_hex"]) != body:
                raise SystemExit(f"{args.fields} is not from {args.vector}")
            # Encode what our codec decoded; must be our bytes.
            doc = to_library(expected["message"])
            encoded, _ = iso8583.encode(dict(doc), SPEC)
            checks[f"{kind}_identical_bytes"] = bytes(encoded) == body
            checks[f"{kind}_decodes_ours"] = ours == expected["message"]
        else:
            doc = to_library(ours)
            encoded, _ = iso8583.encode(dict(doc), SPEC)
            checks[f"{kind}_identical_bytes"] = bytes(encoded) == body
        docs[kind] = doc
    identical = all(checks.values())

    m = args.min_batch_ms / 1000
    encode, decode = iso8583.encode, iso8583.decode
    results = {}
    for kind in ("request", "reply"):
        doc, body = docs[kind], bodies[kind]
        # encode() adds "p" (the bitmap) to the dict it is given; it recomputes it each time.
        results[f"encode_{kind}"] = rate(m, lambda: encode(doc, SPEC))
        results[f"decode_{kind}"] = rate(m, lambda: decode(body, SPEC))

    if args.json:
        out = {k: round(v) for k, v in results.items()}
        out.update({
            "library": f"pyiso8583 {iso8583.__version__} (Python {sys.version.split()[0]})",
            "vector": args.vector,
            "identical_bytes": identical,
            "checked_against_rust_fields": bool(args.fields),
            **checks,
        })
        print(json.dumps(out))
    else:
        print(f"pyiso8583 {iso8583.__version__}, vector {args.vector}")
        for name, ok in checks.items():
            print(f"{name}: {'yes' if ok else 'no'}")
        print(f"identical bytes: {'yes' if identical else 'no'}")
        print(f"{'operation':<22} {'msgs/s':>14}")
        for name, value in results.items():
            print(f"{name:<22} {value:>14.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
