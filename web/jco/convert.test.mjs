// The serde <-> jco conversion round-trips every input and expected output of the vectors, so
// convert.mjs reads and writes the same shapes (needs generated/wit.json: run transpile.sh first).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { makeConverter } from "./convert.mjs";
import { loadVectors } from "../vectors/load-node.mjs";
import { jsonEqual } from "../vectors/replay.mjs";

const convert = makeConverter(JSON.parse(readFileSync(new URL("./generated/wit.json", import.meta.url), "utf8")));
const vectors = loadVectors();

function roundTrips(type, value) {
  const back = convert.fromJco(type, convert.toJco(type, value));
  assert.ok(jsonEqual(back, value), `${type}\n${JSON.stringify(value)}\n${JSON.stringify(back)}`);
}

test("configs", () => vectors.forEach((v) => roundTrips("terminal-api/config", v.config)));

test("inputs", () => {
  for (const { steps } of vectors) steps.filter((s) => s.input !== "restart" && !s.input?.reconcile).forEach((s) => roundTrips("terminal-api/input", s.input));
});

test("outputs", () => {
  for (const { steps } of vectors) steps.flatMap((s) => s.expect).forEach((o) => roundTrips("terminal-api/output", o));
});

test("jco shapes", () => {
  const input = convert.toJco("terminal-api/input", {
    command: { void: { original_stan: 7 } },
  });
  assert.deepEqual(input, { tag: "command", val: { tag: "void", val: { originalStan: 7, card: undefined } } });
  const output = convert.toJco("terminal-api/output", { arm_timer: { timer: "retry", at: 1795226430000 } });
  assert.deepEqual(output, { tag: "arm-timer", val: { timer: "retry", at: 1795226430000n } });
  assert.deepEqual(convert.fromJco("types/reversal-reason", "mac-failure"), "A0");
  assert.deepEqual(convert.fromJco("types/fail-reason", { tag: "over-limit", val: 5n }), { over_limit: { limit: 5 } });
  assert.deepEqual(convert.fromJco("types/query", { tag: "stan", val: 3 }), { stan: 3 });
});
