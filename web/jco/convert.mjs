// Converts values between the kernel's serde JSON shapes (what tests/vectors/*.json hold) and
// jco's JavaScript representation of the WIT types, driven by the component's resolved type graph
// (generated/wit.json, `wasm-tools component wit --json`, written by transpile.sh).
//
//   WIT                serde JSON (the kernel's Rust types)        jco
//   record             object, snake_case fields                   object, camelCase fields
//   enum               "snake_case" string                         "kebab-case" string
//   variant            "case" (no payload) / {"case": payload}     {tag: "kebab-case", val}
//   option<T>          null, or absent where serde skips it        undefined
//   list<u8>           lowercase hex string                        Uint8Array
//   list<u32>          array of numbers                            Uint32Array (either way in)
//   u64, s64           number                                      BigInt
//
// The generic rules cover most of the WIT; SERDE below lists every place where the Rust types
// serialize differently from that, each checked against the serde attributes in kernel/src.

/** Where the kernel's serde shapes differ from the generic rules, by WIT type name. */
export const SERDE = {
  // Enum cases not named in snake_case.
  enumCases: {
    // kernel/src/engine/kinds.rs: #[serde(rename = "98" | "A0" | "06")], the F39 codes.
    "reversal-reason": { "no-reply": "98", "mac-failure": "A0", "card-declined": "06" },
    // kernel/src/security/mod.rs: KeyKind has no rename_all, so serde uses the Rust names.
    "key-kind": { pin: "Pin", mac: "Mac", "track-data": "TrackData" },
  },
  // Variant cases that are Rust struct variants with one named field around what WIT carries as
  // a bare payload: FailReason::OverLimit { limit } is {"over_limit": {"limit": 5}} in serde but
  // over-limit(u64) in WIT. Case -> the serde field name.
  wrappedCases: {
    command: { balance: "card", "acknowledge-exception": "stan" },
    event: {
      "reply-ignored": "reason",
      "journal-failed": "reason",
      "refund-pending": "stan",
      "settlement-step": "phase",
      "header-request-ignored": "digit",
    },
    "outcome-result": { declined: "response_code", failed: "reason", reversed: "reason", "reversal-failed": "reason" },
    "fail-reason": {
      "over-limit": "limit",
      "invalid-input": "problem",
      "journal-unavailable": "cause",
      "security-module": "reason",
      "key-check-failed": "key",
      original: "problem",
      "refund-pending": "stan",
      "advice-pending": "stan",
      "acquirer-unreachable": "cause",
      "unreadable-reply": "detail",
      internal: "detail",
      card: "outcome",
    },
    "life-step": {
      declined: "response_code",
      "reversal-reason": "reason",
      reversed: "response_code",
      "advice-answered": "response_code",
    },
  },
  // Record fields with another name in serde: Event::CardVerdictRequired { stan, issuer_data }.
  fieldNames: { "issuer-data": { data: "issuer_data" } },
  // Fields serde leaves out when None (or false, for a bool): skip_serializing_if. Every other
  // option serializes None as null.
  skipped: {
    card: ["expiry", "track2", "track3", "sequence", "icc-data", "pin-entered", "fallback"], // engine/input.rs
    "original-card": ["card"], // Command::Void and CompletionVoid, engine/input.rs
    outcome: ["balance", "settlement"], // engine/outcome.rs
    "begin-args": ["amount", "original-stan", "original-rrn", "original-date"], // Command::Begin, engine/input.rs
    "completion-advice-args": ["auth-code"], // Command::CompletionAdvice, engine/input.rs
  },
};

const snake = (kebab) => kebab.replaceAll("-", "_");
const camel = (kebab) => kebab.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
const BIG = new Set(["u64", "s64"]);

function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function fromHex(text, path) {
  if (typeof text !== "string" || !/^([0-9a-fA-F]{2})*$/.test(text)) throw new TypeError(`${path}: not hex: ${text}`);
  return Uint8Array.from(text.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

/**
 * A converter over one component's types. `wit` is the parsed generated/wit.json.
 * Types are named as "interface/type", e.g. "terminal-api/config".
 */
export function makeConverter(wit) {
  /** Follows aliases (`type x = y`) to the definition ({ name, kind }), or a primitive name. */
  function resolve(ref) {
    while (typeof ref === "number") {
      const def = wit.types[ref];
      if (!("type" in def.kind)) return def;
      ref = def.kind.type;
    }
    return ref; // "u8", "string", ...
  }

  function named(qualified) {
    const [iface, type] = qualified.split("/");
    const found = wit.interfaces.find((i) => i.name === iface)?.types[type];
    if (found === undefined) throw new Error(`no WIT type ${qualified}`);
    return found;
  }

  const isBytes = (def) => "list" in def.kind && resolve(def.kind.list) === "u8";

  /** serde JSON -> jco */
  function toJco(ref, value, path) {
    const type = resolve(ref);
    if (typeof type === "string") return primitiveToJco(type, value, path);
    const { name, kind } = type;
    if (isBytes(type)) return fromHex(value, path);
    if ("list" in kind) return expectArray(value, path).map((v, i) => toJco(kind.list, v, `${path}[${i}]`));
    // (No option<option<T>> in this WIT: jco would represent the inner one as {tag: "some", val}.)
    if ("option" in kind) return value == null ? undefined : toJco(kind.option, value, path);
    if ("record" in kind) {
      if (value === null || typeof value !== "object") throw new TypeError(`${path}: expected a ${name} object`);
      const out = {};
      for (const field of kind.record.fields) {
        const key = serdeField(name, field.name);
        let v = value[key];
        // skip_serializing_if: an absent bool is false (absent options become undefined below).
        if (v === undefined && SERDE.skipped[name]?.includes(field.name) && resolve(field.type) === "bool") v = false;
        if (v === undefined && !isOption(field.type)) throw new TypeError(`${path}.${key}: missing`);
        out[camel(field.name)] = toJco(field.type, v, `${path}.${key}`);
      }
      return out;
    }
    if ("enum" in kind) return enumCase(name, kind.enum.cases, value, path);
    if ("variant" in kind) {
      const [serdeCase, payload] = typeof value === "string" ? [value, undefined] : singleEntry(value, path);
      const cases = kind.variant.cases;
      const c = cases.find((c) => snake(c.name) === serdeCase);
      if (c === undefined) throw new TypeError(`${path}: no ${name} case ${serdeCase}`);
      if (c.type === null) return { tag: c.name };
      const wrapper = SERDE.wrappedCases[name]?.[c.name];
      const inner = wrapper === undefined ? payload : payload?.[wrapper];
      return { tag: c.name, val: toJco(c.type, inner, `${path}.${serdeCase}`) };
    }
    throw new TypeError(`${path}: unsupported WIT type ${JSON.stringify(kind)}`);
  }

  /** jco -> serde JSON, omitting what serde skips so the result equals the vectors exactly. */
  function fromJco(ref, value, path) {
    const type = resolve(ref);
    if (typeof type === "string") return primitiveFromJco(type, value, path);
    const { name, kind } = type;
    if (isBytes(type)) return toHex(value);
    if ("list" in kind) return expectArray(value, path).map((v, i) => fromJco(kind.list, v, `${path}[${i}]`));
    if ("option" in kind) return value === undefined || value === null ? null : fromJco(kind.option, value, path);
    if ("record" in kind) {
      const out = {};
      for (const field of kind.record.fields) {
        const v = value[camel(field.name)];
        const skip = SERDE.skipped[name]?.includes(field.name) && (v === undefined || v === null || v === false);
        if (!skip) out[serdeField(name, field.name)] = fromJco(field.type, v, `${path}.${field.name}`);
      }
      return out;
    }
    if ("enum" in kind) return SERDE.enumCases[name]?.[value] ?? snake(value);
    if ("variant" in kind) {
      const c = kind.variant.cases.find((c) => c.name === value.tag);
      if (c === undefined) throw new TypeError(`${path}: no ${name} case ${value.tag}`);
      if (c.type === null) return snake(c.name);
      const payload = fromJco(c.type, value.val, `${path}.${c.name}`);
      const wrapper = SERDE.wrappedCases[name]?.[c.name];
      return { [snake(c.name)]: wrapper === undefined ? payload : { [wrapper]: payload } };
    }
    throw new TypeError(`${path}: unsupported WIT type ${JSON.stringify(kind)}`);
  }

  function isOption(ref) {
    const type = resolve(ref);
    return typeof type === "object" && "option" in type.kind;
  }

  return {
    /** serde JSON -> jco, for the WIT type named "interface/type". */
    toJco: (qualified, value) => toJco(named(qualified), value, qualified),
    /** jco -> serde JSON, for the WIT type named "interface/type". */
    fromJco: (qualified, value) => fromJco(named(qualified), value, qualified),
  };
}

function serdeField(recordName, fieldName) {
  return SERDE.fieldNames[recordName]?.[fieldName] ?? snake(fieldName);
}

function enumCase(name, cases, value, path) {
  const renamed = SERDE.enumCases[name] ?? {};
  const c = cases.find((c) => (renamed[c.name] ?? snake(c.name)) === value);
  if (c === undefined) throw new TypeError(`${path}: no ${name} case ${value}`);
  return c.name;
}

function singleEntry(value, path) {
  const entries = value !== null && typeof value === "object" ? Object.entries(value) : [];
  if (entries.length !== 1) throw new TypeError(`${path}: expected "case" or {"case": payload}, got ${JSON.stringify(value)}`);
  return entries[0];
}

/** An array, or (jco lifts list<u32> and its kin as typed arrays) a typed array as an array. */
function expectArray(value, path) {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value);
  if (!Array.isArray(value)) throw new TypeError(`${path}: expected an array`);
  return value;
}

function primitiveToJco(type, value, path) {
  if (type === "string" || type === "char") {
    if (typeof value !== "string") throw new TypeError(`${path}: expected a string`);
    return value;
  }
  if (type === "bool") {
    if (typeof value !== "boolean") throw new TypeError(`${path}: expected a bool`);
    return value;
  }
  if (typeof value !== "number" || !Number.isInteger(value)) throw new TypeError(`${path}: expected an integer`);
  return BIG.has(type) ? BigInt(value) : value;
}

function primitiveFromJco(type, value, path) {
  if (!BIG.has(type)) return value;
  // serde writes u64 as a JSON number; beyond 2^53 a JS number would round silently.
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(`${path}: ${value} does not fit a JSON number exactly`);
  }
  return Number(value);
}
