#!/usr/bin/env python3
"""Seeds fuzz/corpus/<target>/ from the committed vectors (tests/vectors/*.json): frames, replies,
journal records, journal files and JSON inputs the kernel really produces and takes, so that each
target starts from the inputs that matter. Run once; the seeds are committed (small, named by
content) and scripts/fuzz.sh adds what it finds to a temporary directory, not to these. For the
targets whose minimized corpus is small, the committed corpus is the seeds merged with a long run's
corpus (libFuzzer -merge=1; docs/FUZZING.md).

    python3 fuzz/seed-corpus.py
"""
import hashlib
import json
import pathlib
import struct
import zlib

root = pathlib.Path(__file__).resolve().parent.parent
corpus = root / "fuzz" / "corpus"


def put(target, data):
    folder = corpus / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / hashlib.sha1(data).hexdigest()[:16]).write_bytes(data)


def crc32c(data):
    """CRC32C (Castagnoli), as the journal frames its records."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def journal_file(records):
    """A journal file (format 2, see host/journal/README.md) holding `records`."""
    head = b"POSJRNL1" + struct.pack("<HHIQI", 2, 0, 0, 0x7E57000000000001, 0)
    out = bytearray(head + struct.pack("<I", crc32c(head)))
    for record in records:
        length = struct.pack("<I", len(record))
        out += length + record + struct.pack("<I", crc32c(length + record))
    return bytes(out)


vectors = sorted((root / "tests" / "vectors").glob("*.json"))
for path in vectors:
    vector = json.loads(path.read_text())
    records, replies = [], []
    lines = [json.dumps(vector["config"])]
    for step in vector["steps"]:
        step_input = step["input"]
        if isinstance(step_input, dict) and "receive" in step_input:
            replies.append(bytes.fromhex(step_input["receive"]))
        if step_input != "restart":
            lines.append(json.dumps(step_input))
        for output in step["expect"]:
            if "transmit" in output:
                put("codec_roundtrip", bytes.fromhex(output["transmit"]))
            if "persist" in output:
                records.append(bytes.fromhex(output["persist"]))
    for reply in replies[:3]:
        put("codec_roundtrip", reply)
        put("reply_validation", reply)
    for record in records[:4]:
        put("journal_records", record)
    if records:
        put("journal_file", b"\x00" + journal_file(records))
    put("json_inputs", "\n".join(lines[:12]).encode())
print("seeded", {p.name: len(list(p.iterdir())) for p in sorted(corpus.iterdir())})
