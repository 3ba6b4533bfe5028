#!/usr/bin/env node
// Codec throughput of the npm package iso_8583 on the cup-pos sale request (0200) and reply (0210).
//
// Usage: node iso8583_bench.mjs [--json] [--vector PATH] [--fields PATH] [--min-batch-ms N]
//
// The message is the ISO body (MTI + bitmap + fields) of the sale in a test vector, with the field
// values --fields gives (`codec_bench --fields-out`: the fields as our Rust codec decoded them;
// without it the fields are parsed from the vector by the PROFILE table below). iso_8583 cannot
// express the cup-pos wire format (docs/profile.md) in full (see README.md): FORMATS below is the closest it allows,
// so the bytes differ from ours and the report says, field by field, where.
//
// Method (the same as kernel/examples/codec_bench.rs): a batch of N operations, N doubling from 1
// until a batch takes at least --min-batch-ms (default 200); then 5 batches of N are timed and the
// median rate, in messages per second, is reported.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import ISO8583 from 'iso_8583';

const require = createRequire(import.meta.url);
const VERSION = require('iso_8583/package.json').version;
const HERE = dirname(fileURLToPath(import.meta.url));
const DEFAULT_VECTOR = join(HERE, '..', '..', 'tests', 'vectors', 'sale-approved-chip.json');
const REPEATS = 5;

// docs/profile.md §2: [kind, length type, max]. Kinds: n (BCD), nl (BCD, fixed odd length
// left-aligned), z (BCD track, '=' as D), an/ans (ASCII), b (bytes). Max in digits for n/nl/z,
// bytes otherwise.
const PROFILE = {
  2: ['n', 'll', 19], 3: ['n', 'fixed', 6], 4: ['n', 'fixed', 12], 11: ['n', 'fixed', 6],
  12: ['n', 'fixed', 6], 13: ['n', 'fixed', 4], 14: ['n', 'fixed', 4], 15: ['n', 'fixed', 4],
  22: ['nl', 'fixed', 3], 23: ['n', 'fixed', 3], 25: ['n', 'fixed', 2], 26: ['n', 'fixed', 2],
  32: ['n', 'll', 11], 35: ['z', 'll', 37], 36: ['z', 'lll', 104], 37: ['an', 'fixed', 12],
  38: ['an', 'fixed', 6], 39: ['an', 'fixed', 2], 41: ['ans', 'fixed', 8], 42: ['ans', 'fixed', 15],
  44: ['an', 'll', 25], 48: ['n', 'lll', 322], 49: ['an', 'fixed', 3], 52: ['b', 'fixed', 8],
  53: ['n', 'fixed', 16], 54: ['an', 'lll', 20], 55: ['b', 'lll', 255], 60: ['n', 'lll', 17],
  61: ['n', 'lll', 29], 62: ['b', 'lll', 512], 63: ['ans', 'lll', 163], 64: ['b', 'fixed', 8],
};
const isDigits = (kind) => kind === 'n' || kind === 'nl' || kind === 'z';

// iso_8583's custom formats, as close to PROFILE as the library allows:
// - fixed n fields: ContentType 'b' (hex text packed to bytes) = packed BCD, identical to ours.
//   The library has no pad option, so F22 (n3 left) and F23 (n3) are given as 4 hex digits with
//   the pad nibble already in place ("051" -> "0510", "001" -> "0001").
// - fixed an/ans: identical (ASCII). Fixed b (F52, F64): identical ('b', hex text -> 8 bytes).
// - LLVAR/LLLVAR: the library always writes the length as ASCII digits and the data as UTF-8 text;
//   it has no BCD length prefix and no BCD or binary variable data. F2/F32/F35/F48/F60/F61 are
//   carried as ASCII digits (F35 with '='), F55/F62 as hex text (twice the bytes; max doubled).
// - MTI: always 4 ASCII digits. Bitmap: always 16 bytes with bit 1 set on encode (its decoder
//   does read an 8-byte primary bitmap when bit 1 is clear).
const FORMATS = { 1: { ContentType: 'b', Label: 'Bitmap', LenType: 'fixed', MaxLen: 16 } };
for (const [field, [kind, lenType, max]] of Object.entries(PROFILE)) {
  let format;
  if (lenType === 'fixed') {
    if (kind === 'b') format = { ContentType: 'b', MaxLen: 2 * max };
    else if (isDigits(kind)) format = { ContentType: 'b', MaxLen: max + (max % 2) };
    else format = { ContentType: kind, MaxLen: max };
  } else {
    const hexText = kind === 'b';
    format = {
      ContentType: hexText ? 'b' : kind === 'z' ? 'z' : isDigits(kind) ? 'n' : kind,
      MaxLen: hexText ? 2 * max : max,
    };
  }
  FORMATS[field] = { ...format, Label: `F${field}`, LenType: lenType === 'll' ? 'llvar' : lenType === 'lll' ? 'lllvar' : 'fixed' };
}

/** Our neutral form (codec_bench --fields-out) -> an iso_8583 message object. */
function toLibrary(message) {
  const msg = { 0: message.mti };
  for (const [field, value] of Object.entries(message.fields)) {
    const [kind, lenType] = PROFILE[field];
    if (lenType === 'fixed' && isDigits(kind) && value.length % 2 === 1) msg[field] = kind === 'nl' ? value + '0' : '0' + value;
    else msg[field] = value;
  }
  return msg;
}

/** A decoded iso_8583 object -> our neutral form. */
function fromLibrary(msg) {
  const fields = {};
  for (const [field, value] of Object.entries(msg)) {
    if (field === '0') continue;
    const [kind, lenType, max] = PROFILE[field];
    let v = kind === 'b' ? value.toUpperCase() : value;
    if (lenType === 'fixed' && isDigits(kind) && max % 2 === 1) v = kind === 'nl' ? v.slice(0, -1) : v.slice(1);
    fields[field] = v;
  }
  return { mti: msg[0], fields };
}

/** Splits our body into MTI, bitmap and per-field bytes (hex), and the neutral form, by PROFILE. */
function splitOurs(body) {
  const parts = { mti: body.subarray(0, 2), bitmap: body.subarray(2, 10) };
  const fields = {};
  let at = 10;
  const bcd = (bytes) => bytes.toString('hex').toUpperCase();
  for (let field = 2; field <= 64; field++) {
    if (!(body[2 + ((field - 1) >> 3)] & (0x80 >> ((field - 1) & 7)))) continue;
    const [kind, lenType, max] = PROFILE[field];
    const start = at;
    const prefix = lenType === 'll' ? 1 : lenType === 'lll' ? 2 : 0;
    const units = prefix ? Number(bcd(body.subarray(at, at + prefix))) : max;
    at += prefix;
    const size = isDigits(kind) ? Math.ceil(units / 2) : units;
    const data = body.subarray(at, at + size);
    at += size;
    parts[field] = body.subarray(start, at);
    let value;
    if (kind === 'b') value = bcd(data);
    else if (!isDigits(kind)) value = data.toString('latin1');
    else {
      value = bcd(data).replaceAll('D', '=');
      if (units % 2 === 1) value = lenType === 'fixed' && kind === 'n' ? value.slice(1) : value.slice(0, -1);
    }
    fields[field] = value;
  }
  return { parts, message: { mti: bcd(parts.mti), fields } };
}

function saleBodies(vector) {
  const steps = vector.steps;
  const start = steps.findIndex((s) => s.input && s.input.command && s.input.command.sale);
  let request = null;
  for (const step of steps.slice(start)) {
    if (request === null) request = (step.expect.find((e) => e.transmit) || {}).transmit || null;
    else if (step.input && step.input.receive) {
      return [Buffer.from(request, 'hex').subarray(13), Buffer.from(step.input.receive, 'hex').subarray(13)];
    }
  }
  throw new Error('no transmit followed by a receive after the sale command');
}

const encode = (msg) => new ISO8583(msg, FORMATS).getRawMessage();
const decode = (buf) => new ISO8583(undefined, FORMATS).getIsoJSON(buf, { lenHeader: false });
const canonical = (m) => JSON.stringify([m.mti, Object.entries(m.fields).sort(([a], [b]) => a - b)]);
const sameJSON = (a, b) => canonical(a) === canonical(b);
const failed = (result) => !Buffer.isBuffer(result) && (result == null || result.error !== undefined);

function rate(minBatchMs, op) {
  let n = 1;
  for (;;) {
    const start = performance.now();
    for (let i = 0; i < n; i++) op();
    if (performance.now() - start >= minBatchMs) break;
    n *= 2;
  }
  const rates = [];
  for (let r = 0; r < REPEATS; r++) {
    const start = performance.now();
    for (let i = 0; i < n; i++) op();
    rates.push(n / ((performance.now() - start) / 1000));
  }
  rates.sort((a, b) => a - b);
  return rates[REPEATS >> 1];
}

function main() {
  const args = { json: false, vector: DEFAULT_VECTOR, fields: null, minBatchMs: 200 };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--json') args.json = true;
    else if (argv[i] === '--vector') args.vector = argv[++i];
    else if (argv[i] === '--fields') args.fields = argv[++i];
    else if (argv[i] === '--min-batch-ms') args.minBatchMs = Number(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  const [requestBody, replyBody] = saleBodies(JSON.parse(readFileSync(args.vector, 'utf8')));
  const bodies = { request: requestBody, reply: replyBody };
  const rust = args.fields ? JSON.parse(readFileSync(args.fields, 'utf8')) : null;

  const checks = {};
  const notes = [];
  const msgs = {};
  for (const [kind, body] of Object.entries(bodies)) {
    const ours = splitOurs(body);
    if (rust) {
      if (rust[kind].body_hex !== body.toString('hex').toUpperCase()) throw new Error(`${args.fields} is not from ${args.vector}`);
      if (!sameJSON(ours.message, rust[kind].message)) throw new Error(`the PROFILE table here disagrees with our codec on the ${kind}`);
    }
    const message = rust ? rust[kind].message : ours.message;
    const msg = toLibrary(message);
    msgs[kind] = msg;
    const encoded = encode(msg);
    if (failed(encoded)) throw new Error(`iso_8583 cannot encode the ${kind}: ${JSON.stringify(encoded)}`);
    const back = decode(encoded);
    checks[`${kind}_own_roundtrip`] = !failed(back) && sameJSON(fromLibrary(back), message);
    checks[`${kind}_identical_bytes`] = encoded.equals(body);
    const theirs = decode(body);
    checks[`${kind}_decodes_ours`] = !failed(theirs) && sameJSON(fromLibrary(theirs), message);
    if (failed(theirs)) notes.push(`${kind}: decoding our bytes fails: ${theirs && theirs.error}`);
    // Which parts differ: encode the MTI alone and each field alone, and compare with ours.
    const differ = [];
    const alone = encode({ 0: message.mti });
    if (!alone.subarray(0, 4).equals(ours.parts.mti)) differ.push(`MTI (${alone.subarray(0, 4).length} bytes vs 2)`);
    const bitmapLen = alone.length - 4;
    if (bitmapLen !== 8) differ.push(`bitmap (${bitmapLen} bytes, bit 1 set, vs 8)`);
    for (const field of Object.keys(message.fields)) {
      const one = encode({ 0: message.mti, [field]: msg[field] });
      const bytes = failed(one) ? null : one.subarray(4 + bitmapLen);
      if (!bytes || !bytes.equals(ours.parts[field])) differ.push(`F${field} (${bytes ? bytes.length : '?'} bytes vs ${ours.parts[field].length})`);
    }
    notes.push(`${kind}: ${encoded.length} bytes vs our ${body.length}; differs in ${differ.join(', ') || 'nothing'}`);
  }
  const identical = checks.request_identical_bytes && checks.reply_identical_bytes;

  const results = {};
  for (const kind of ['request', 'reply']) {
    const msg = msgs[kind];
    // Decode times the library on its own bytes for this message: it cannot read ours.
    const wire = encode(msg);
    results[`encode_${kind}`] = rate(args.minBatchMs, () => encode(msg));
    results[`decode_${kind}`] = rate(args.minBatchMs, () => decode(wire));
  }

  if (args.json) {
    const out = {};
    for (const [k, v] of Object.entries(results)) out[k] = Math.round(v);
    Object.assign(out, {
      library: `iso_8583 ${VERSION} (Node ${process.versions.node})`,
      vector: normalize(args.vector),
      identical_bytes: identical,
      checked_against_rust_fields: Boolean(rust),
      ...checks,
      notes,
    });
    console.log(JSON.stringify(out));
  } else {
    console.log(`iso_8583 ${VERSION}, vector ${normalize(args.vector)}`);
    for (const [name, ok] of Object.entries(checks)) console.log(`${name}: ${ok ? 'yes' : 'no'}`);
    for (const note of notes) console.log(note);
    console.log(`identical bytes: ${identical ? 'yes' : 'no'}`);
    console.log(`${'operation'.padEnd(22)} ${'msgs/s'.padStart(14)}`);
    for (const [name, value] of Object.entries(results)) console.log(`${name.padEnd(22)} ${value.toFixed(0).padStart(14)}`);
  }
}

main();
