// Journal records for display. The kernel writes them as CBOR (the `Record` enum: a one-key map
// {kind: fields}, or a bare string for a kind without fields). This decodes just enough CBOR to
// show a one-line summary; full PANs in records (decision 16: the journal keeps them for
// reversals and batch upload) are masked before anything is shown.
import { maskPan, maskPans, money, stan6 } from "./format.mjs";

function hexToBytes(hex) {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.substr(i * 2, 2), 16);
  return bytes;
}

/** A minimal CBOR decoder (RFC 8949 major types 0–7, definite and indefinite lengths). */
export function decodeCbor(bytes) {
  let at = 0;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (n) => {
    if (at + n > bytes.length) throw new Error("truncated CBOR");
  };
  const arg = (info) => {
    if (info < 24) return info;
    const size = { 24: 1, 25: 2, 26: 4, 27: 8 }[info];
    if (!size) throw new Error(`unsupported CBOR length ${info}`);
    need(size);
    let n = 0;
    for (let i = 0; i < size; i++) n = n * 256 + bytes[at + i];
    at += size;
    return n;
  };
  const item = () => {
    need(1);
    const head = bytes[at++];
    const major = head >> 5;
    const info = head & 31;
    if (info === 31 && major >= 2 && major <= 5) return indefinite(major);
    switch (major) {
      case 0:
        return arg(info);
      case 1:
        return -1 - arg(info);
      case 2: {
        const n = arg(info);
        need(n);
        const b = bytes.slice(at, at + n);
        at += n;
        return b;
      }
      case 3: {
        const n = arg(info);
        need(n);
        const s = new TextDecoder().decode(bytes.subarray(at, at + n));
        at += n;
        return s;
      }
      case 4: {
        const n = arg(info);
        return Array.from({ length: n }, item);
      }
      case 5: {
        const n = arg(info);
        const map = {};
        for (let i = 0; i < n; i++) {
          const k = item();
          map[k] = item();
        }
        return map;
      }
      case 6:
        arg(info);
        return item();
      default:
        return simple(info);
    }
  };
  const simple = (info) => {
    if (info === 20) return false;
    if (info === 21) return true;
    if (info === 22 || info === 23) return null;
    if (info === 25) return (need(2), (at += 2), NaN); // half floats are not used by the kernel
    if (info === 26) return (need(4), (at += 4), view.getFloat32(at - 4));
    if (info === 27) return (need(8), (at += 8), view.getFloat64(at - 8));
    return info < 24 ? info : arg(info);
  };
  const indefinite = (major) => {
    const parts = [];
    const map = {};
    while (bytes[at] !== 0xff) {
      need(1);
      if (major === 5) {
        const k = item();
        map[k] = item();
      } else parts.push(item());
    }
    at++;
    if (major === 5) return map;
    if (major === 4) return parts;
    if (major === 3) return parts.join("");
    return new Uint8Array(parts.flatMap((p) => [...p]));
  };
  return item();
}

/** { kind, text } for one journal record (hex); never shows a full PAN. */
export function summarizeRecord(hex) {
  let value;
  try {
    value = decodeCbor(hexToBytes(hex));
  } catch (error) {
    return { kind: "?", text: `undecodable (${error.message})` };
  }
  if (typeof value === "string") return { kind: value, text: "" };
  const [kind] = Object.keys(value ?? {});
  const body = value[kind];
  if (kind === undefined) return { kind: "?", text: "" };
  return { kind, text: describe(kind, body) };
}

function describe(kind, body) {
  if (body == null || typeof body !== "object") return body == null ? "" : maskPans(String(body));
  const parts = [];
  const add = (label, v) => {
    if (v !== undefined && v !== null && v !== "") parts.push(`${label} ${v}`);
  };
  switch (kind) {
    case "signed_on":
      add("batch", stan6(body.batch));
      add("keys", `${body.keys?.length ?? 0} bytes (encrypted)`);
      break;
    case "request_sent":
      add("STAN", stan6(body.stan));
      parts.push(body.transaction);
      if (body.reversal) add("reversal", `${body.reversal.reason} ¥${money(body.reversal.amount)}`);
      if (body.resend) parts.push("resend until answered");
      break;
    case "approved":
      add("STAN", stan6(body.stan));
      parts.push(body.transaction);
      parts.push(`¥${money(body.amount)}`);
      add("card", maskPan(body.pan));
      add("RRN", body.rrn);
      break;
    case "settlement":
      add("batch", stan6(body.batch));
      add("phase", typeof body.phase === "string" ? body.phase : Object.keys(body.phase ?? {})[0]);
      add("STAN", body.in_flight_stan == null ? null : stan6(body.in_flight_stan));
      break;
    case "settled":
      add("batch", stan6(body.batch));
      break;
    case "snapshot":
      add("batch", stan6(body.batch));
      add("last STAN", body.stan == null ? null : stan6(body.stan));
      break;
    default:
      for (const [k, v] of Object.entries(body)) {
        if (v === null || typeof v === "object") continue;
        add(k === "stan" ? "STAN" : k, k === "stan" ? stan6(v) : v);
      }
  }
  return maskPans(parts.join(" · "));
}
