// Reads tests/vectors/*.json (sorted by file name) in Node.
import { readdirSync, readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

export const vectorsDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "tests", "vectors");

export function loadVectors(dir = vectorsDir) {
  return readdirSync(dir)
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => JSON.parse(readFileSync(join(dir, name), "utf8")));
}

/** Prints the result the way every host does and sets the exit code. */
export function report(host, result) {
  for (const failure of result.failures) console.error(`FAILED ${failure.id}: ${failure.detail}`);
  console.log(`${host}: ${result.passed} passed, ${result.failed} failed`);
  if (result.failed > 0 || result.passed === 0) process.exitCode = 1;
}
