// The terminal's security module (WIT `pos:kernel/security@0.5.0`) in JavaScript, for the jco
// host: 3DES with double-length keys (des.js EDE, ECB), key check values, the CUP "ECB" MAC and
// ISO 9564 format-0 PIN blocks, as docs/profile.md §5 specifies and kernel/src/security/crypto.rs
// implements, and the card data key (AES-256, one block: kernel/src/security/card_data.rs). One
// instance per terminal: a fresh instance holds no working keys, like a
// rebooted terminal.
import { createRequire } from "node:module";
import { createCipheriv, createDecipheriv } from "node:crypto";

const require = createRequire(import.meta.url);
const { EDE } = require("des.js"); // CommonJS only

/** The clear test terminal master key of docs/profile.md §6 (tests and demos only). */
export const TEST_TMK = hex("0123456789ABCDEFFEDCBA9876543210");

/** The software modules' card data key, as kernel/src/security/crypto.rs TEST_DATA_KEY (tests only). */
export const TEST_DATA_KEY = new TextEncoder().encode("pos-kernel test card data key 01");

/** One 16-byte block through AES-256-ECB with the card data key. */
function cardBlock(block, seal) {
  if (block.length !== 16) throw fail("device", `a card data block has ${block.length} bytes, expected 16`);
  const cipher = (seal ? createCipheriv : createDecipheriv)("aes-256-ecb", TEST_DATA_KEY, null).setAutoPadding(false);
  return new Uint8Array(Buffer.concat([cipher.update(block), cipher.final()]));
}

/**
 * A WIT `security-error` raised by an import. jco's generated glue turns a thrown value with an
 * own `payload` property into the `err` case of the import's `result` (getErrorPayload), so this
 * is the same shape as jco's own ComponentError.
 */
export class SecurityError extends Error {
  constructor(payload) {
    super(`security-error ${payload.tag}${"val" in payload ? ` (${payload.val})` : ""}`);
    Object.defineProperty(this, "payload", { value: payload, enumerable: true });
  }
}

const fail = (tag, val) => new SecurityError(val === undefined ? { tag } : { tag, val });

/** Hex (either case) to bytes. */
export function hex(text) {
  return Uint8Array.from(text.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

function tdes(type, key, block) {
  if (key.length !== 16) throw new RangeError(`3DES key of ${key.length} bytes`);
  // A double-length key K1 K2 is used as K1 K2 K1; des.js wants all three.
  const k1k2k1 = [...key, ...key.subarray(0, 8)];
  const cipher = EDE.create({ type, key: k1k2k1, padding: false });
  return Uint8Array.from(cipher.update([...block]).concat(cipher.final()));
}

/** 3DES-encrypts 8-byte blocks (ECB) with a double-length key. */
export const tdesEncrypt = (key, data) => tdes("encrypt", key, data);
/** 3DES-decrypts 8-byte blocks (ECB) with a double-length key. */
export const tdesDecrypt = (key, data) => tdes("decrypt", key, data);

/** First 4 bytes of 3DES-encrypting 8 zero bytes with the clear key. */
export function checkValue(key) {
  return tdesEncrypt(key, new Uint8Array(8)).subarray(0, 4);
}

const xor = (a, b) => a.map((byte, i) => byte ^ b[i]);
const equal = (a, b) => a.length === b.length && a.every((byte, i) => byte === b[i]);
const upperHexAscii = (bytes) =>
  new TextEncoder().encode([...bytes].map((b) => b.toString(16).padStart(2, "0")).join("").toUpperCase());

/** The CUP "ECB" MAC (docs/profile.md §5): the 8 ASCII bytes of F64. */
export function cupMac(mak, macBlock) {
  const folded = new Uint8Array(8);
  // A short last block is zero-padded: missing bytes XOR as zeros.
  macBlock.forEach((byte, i) => (folded[i % 8] ^= byte));
  const expanded = upperHexAscii(folded);
  const first = tdesEncrypt(mak, expanded.subarray(0, 8));
  const second = tdesEncrypt(mak, xor(first, expanded.subarray(8)));
  return upperHexAscii(second).subarray(0, 8);
}

/** The clear ISO 9564 format-0 PIN block; throws invalid-pin / invalid-pan like the Rust module. */
export function clearPinBlock(pin, pan) {
  if (!/^[0-9]{4,12}$/.test(pin)) throw fail("invalid-pin");
  if (!/^[0-9]{13,19}$/.test(pan)) throw fail("invalid-pan");
  const pinField = hex(`0${pin.length.toString(16)}${pin}`.padEnd(16, "F"));
  const panField = hex(`0000${pan.slice(0, -1).slice(-12)}`); // rightmost 12 without the check digit
  return xor(pinField, panField);
}

/**
 * A security module holding the TMK and, after a sign-on, the working keys, with its PIN pad:
 * `enterPin` is the cardholder typing; the component's `pin-block(pan)` takes that PIN once (the
 * PIN never enters the component). `imports()` gives the object jco's instantiate() expects for
 * the `security` interface.
 */
export class SecurityModule {
  #tmk;
  #keys = null; // { pik, mak, tdk } clear keys, or null before a successful load
  #typedPin = null; // what the cardholder typed on the PIN pad, until a PIN block takes it

  constructor(tmk = TEST_TMK) {
    this.#tmk = tmk;
  }

  /** Decrypts the three keys under the TMK and installs all of them, or none. */
  loadWorkingKeys({ pik, mak, tdk }) {
    const clear = {};
    for (const [name, kind, encrypted] of [["pik", "pin", pik], ["mak", "mac", mak], ["tdk", "track-data", tdk]]) {
      if (encrypted.key.length !== 16) throw fail("bad-key-block", encrypted.key.length);
      const key = tdesDecrypt(this.#tmk, encrypted.key);
      if (!equal(checkValue(key), encrypted.checkValue)) throw fail("check-value-mismatch", kind);
      clear[name] = key;
    }
    this.#keys = clear;
  }

  mac(macBlock) {
    return cupMac(this.#loaded().mak, macBlock);
  }

  /** The cardholder types `pin` on the PIN pad; anything but 4 to 12 digits is refused (invalid-pin) and the pad is left empty. */
  enterPin(pin) {
    this.#typedPin = null;
    if (typeof pin !== "string" || !/^[0-9]{4,12}$/.test(pin)) throw fail("invalid-pin");
    this.#typedPin = pin;
  }

  /** The PIN block of the PIN typed on the pad, for `pan`; the pad is empty afterwards. */
  pinBlock(pan) {
    const pin = this.#typedPin;
    this.#typedPin = null;
    if (pin === null) throw fail("pin-not-entered");
    const { pik } = this.#loaded();
    return tdesEncrypt(pik, clearPinBlock(pin, pan));
  }

  #loaded() {
    if (this.#keys === null) throw fail("keys-not-loaded");
    return this.#keys;
  }

  /** Card data for the journal, sealed under the data key (deterministic, one AES block). */
  seal(block) {
    return cardBlock(block, true);
  }

  unseal(sealed) {
    return cardBlock(sealed, false);
  }

  /** The `pos:kernel/security` import: plain functions bound to this module. */
  imports() {
    return {
      loadWorkingKeys: (keys) => this.loadWorkingKeys(keys),
      mac: (macBlock) => this.mac(macBlock),
      pinBlock: (pan) => this.pinBlock(pan),
      seal: (block) => this.seal(block),
      unseal: (sealed) => this.unseal(sealed),
    };
  }
}
