// Known answers for the JS security module: the same values as kernel/tests/security_kat.rs
// (computed there with Python + pycryptodome), so the JS and Rust modules agree byte for byte.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  SecurityModule,
  TEST_TMK,
  checkValue,
  clearPinBlock,
  cupMac,
  hex,
  tdesDecrypt,
  tdesEncrypt,
} from "./security.mjs";

const PIK = hex("11223344556677888877665544332211");
const MAK = hex("A1B2C3D4E5F60718293A4B5C6D7E8F90");
const TDK = hex("0F1E2D3C4B5A69788796A5B4C3D2E1F0");
// F62 of the three keys above under the test TMK: key (16) + check value (4), three times.
const F62 = hex(
  "3EB3B72576BBBE832532DF5DD75880D3491510CA" +
    "FD7AF640961CDB8B5CCFBE13B358FE6E76CDB553" +
    "BDBE59C77CF56415BAB6EAD19B49AD8C819DB114",
);

const ascii = (text) => new TextEncoder().encode(text);
const bytes = (value) => Uint8Array.from(value); // compare as plain Uint8Arrays

function workingKeys(f62 = F62) {
  const key = (offset) => ({ key: f62.slice(offset, offset + 16), checkValue: f62.slice(offset + 16, offset + 20) });
  return { pik: key(0), mak: key(20), tdk: key(40) };
}

function loaded() {
  const module = new SecurityModule();
  module.loadWorkingKeys(workingKeys());
  return module;
}

/** Runs `f` and returns the WIT error payload it threw (jco reads `payload`). */
function errorOf(f) {
  try {
    f();
  } catch (error) {
    assert.ok(Object.hasOwn(error, "payload"), `not a WIT error: ${error}`);
    return error.payload;
  }
  assert.fail("no error thrown");
}

test("3DES with the test TMK", () => {
  assert.deepEqual(tdesEncrypt(TEST_TMK, new Uint8Array(8)), hex("08D7B4FB629D0885"));
  assert.deepEqual(tdesEncrypt(TEST_TMK, hex("0123456789ABCDEF")), hex("1A4D672DCA6CB335"));
  assert.deepEqual(tdesDecrypt(TEST_TMK, hex("0123456789ABCDEF")), hex("AC80CF3A96F3104A"));
  assert.deepEqual(tdesDecrypt(TEST_TMK, hex("08D7B4FB629D0885")), new Uint8Array(8));
});

test("check values", () => {
  assert.deepEqual(bytes(checkValue(TEST_TMK)), hex("08D7B4FB"));
  assert.deepEqual(bytes(checkValue(PIK)), hex("491510CA"));
  assert.deepEqual(bytes(checkValue(MAK)), hex("76CDB553"));
  assert.deepEqual(bytes(checkValue(TDK)), hex("819DB114"));
});

test("F62 keys decrypt to the clear keys", () => {
  const keys = workingKeys();
  assert.deepEqual(tdesDecrypt(TEST_TMK, keys.pik.key), PIK);
  assert.deepEqual(tdesDecrypt(TEST_TMK, keys.mak.key), MAK);
  assert.deepEqual(tdesDecrypt(TEST_TMK, keys.tdk.key), TDK);
  assert.deepEqual(tdesEncrypt(TEST_TMK, MAK), hex("FD7AF640961CDB8B5CCFBE13B358FE6E"));
});

test("CUP MAC", () => {
  assert.deepEqual(bytes(cupMac(MAK, hex("0200302004"))), ascii("D61D7AA1"));
  const unaligned = Uint8Array.from([
    ...hex("020070200580"),
    ...ascii("6225760012345678"),
    ...hex("000000000000010000000123"),
  ]);
  assert.equal(unaligned.length, 34);
  assert.deepEqual(bytes(cupMac(MAK, unaligned)), ascii("46151DD3"));
  assert.deepEqual(bytes(cupMac(MAK, hex("02003020048020C098110000000000000001000000014631"))), ascii("B504CEC7"));
  assert.deepEqual(bytes(cupMac(MAK, new Uint8Array(0))), ascii("CEE1405A"));
});

test("clear and encrypted PIN blocks", () => {
  assert.deepEqual(clearPinBlock("1234", "4111111111111111"), hex("041225EEEEEEEEEE"));
  assert.deepEqual(clearPinBlock("123456", "6225760012345678"), hex("06126336FEDCBA98"));
  assert.deepEqual(clearPinBlock("123456", "6210981234567890123"), hex("06122662A9876FED"));
  assert.deepEqual(tdesEncrypt(PIK, clearPinBlock("123456", "6225760012345678")), hex("34A32F9A868D86D2"));
  assert.deepEqual(tdesEncrypt(PIK, clearPinBlock("123456", "6210981234567890123")), hex("5B1C6693FCEA1913"));
});

/** The cardholder types `pin` on the module's PIN pad, then the component asks for the block. */
function typed(module, pin, pan) {
  module.enterPin(pin);
  return module.pinBlock(pan);
}

test("module after sign-on", () => {
  const module = loaded();
  assert.deepEqual(bytes(module.mac(hex("0200302004"))), ascii("D61D7AA1"));
  assert.deepEqual(bytes(module.mac(new Uint8Array(0))), ascii("CEE1405A"));
  assert.deepEqual(typed(module, "123456", "6225760012345678"), hex("34A32F9A868D86D2"));
  assert.deepEqual(typed(module, "123456", "6210981234567890123"), hex("5B1C6693FCEA1913"));
});

test("a PIN block takes the typed PIN once", () => {
  const module = loaded();
  assert.deepEqual(errorOf(() => module.pinBlock("6225760012345678")), { tag: "pin-not-entered" });
  module.enterPin("123456");
  assert.deepEqual(module.pinBlock("6225760012345678"), hex("34A32F9A868D86D2"));
  assert.deepEqual(errorOf(() => module.pinBlock("6225760012345678")), { tag: "pin-not-entered" });
});

test("no keys before sign-on", () => {
  const module = new SecurityModule();
  assert.deepEqual(errorOf(() => module.mac(ascii("0200"))), { tag: "keys-not-loaded" });
  assert.deepEqual(errorOf(() => typed(module, "123456", "6225760012345678")), { tag: "keys-not-loaded" });
});

test("invalid PIN and PAN", () => {
  const module = loaded();
  const pan = "6225760012345678";
  for (const pin of ["", "123", "1234567890123", "12a4", "12 34", "１２３４"]) {
    assert.deepEqual(errorOf(() => typed(module, pin, pan)), { tag: "invalid-pin" }, pin);
  }
  for (const bad of ["", "622576001234", "62257600123456789012", "622576001234567X", "6225-7600-1234-5678"]) {
    assert.deepEqual(errorOf(() => typed(module, "1234", bad)), { tag: "invalid-pan" }, bad);
  }
});

test("a wrong check value names the key and installs nothing", () => {
  const corruptions = [
    [(k) => (k.pik.checkValue[0] ^= 1), "pin"],
    [(k) => (k.mak.checkValue[1] ^= 1), "mac"],
    [(k) => (k.tdk.key[0] ^= 1), "track-data"],
  ];
  for (const [corrupt, kind] of corruptions) {
    const keys = workingKeys();
    corrupt(keys);
    const module = new SecurityModule();
    assert.deepEqual(errorOf(() => module.loadWorkingKeys(keys)), { tag: "check-value-mismatch", val: kind });
    assert.deepEqual(errorOf(() => module.mac(ascii("0200"))), { tag: "keys-not-loaded" });
  }
  // A failed reload keeps the previous keys.
  const module = loaded();
  const keys = workingKeys();
  keys.mak.checkValue = new Uint8Array(4);
  assert.deepEqual(errorOf(() => module.loadWorkingKeys(keys)), { tag: "check-value-mismatch", val: "mac" });
  assert.deepEqual(bytes(module.mac(hex("0200302004"))), ascii("D61D7AA1"));
});

test("a wrong TMK fails on the PIK", () => {
  const module = new SecurityModule(hex("00112233445566778899AABBCCDDEEFF"));
  assert.deepEqual(errorOf(() => module.loadWorkingKeys(workingKeys())), { tag: "check-value-mismatch", val: "pin" });
});

test("card data seals as the Rust module seals it (AES-256, one block)", () => {
  const module = new SecurityModule();
  const block = hex("166222020000000007FFF3012FFFFFFF"); // kernel/tests/security_kat.rs kat_card_data_seal
  const sealed = module.seal(block);
  assert.deepEqual(sealed, hex("5D3668DF778EC9DF9C7906822DFD81FD"));
  assert.deepEqual(module.unseal(sealed), block);
  assert.deepEqual(errorOf(() => module.seal(new Uint8Array(15))).tag, "device");
});
