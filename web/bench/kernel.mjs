// Kernel CPU per sale cycle on the JavaScript hosts: the script `posterm bench` recorded
// (target/bench/sale-cycles.json) replayed through the wasm-bindgen build and through the
// component transpiled by jco, in Node. Prints one JSON object: host name -> median µs per cycle.
//
//   node web/bench/kernel.mjs target/bench/sale-cycles.json [--only wasm-bindgen|jco]
//
// (--only runs one host, e.g. under `node --cpu-prof` to see where its time goes.)
//
// As on the Rust side, the PIN a step carries is typed on the PIN pad before its input, each
// cycle is timed from its first input to its last output, every output is drained, and a cycle
// whose outcome is not an approval fails the run.
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

const scriptPath = process.argv[2];
if (!scriptPath) {
  console.error("usage: node web/bench/kernel.mjs SALE_CYCLES_JSON   (written by posterm bench)");
  process.exit(2);
}
const script = JSON.parse(readFileSync(scriptPath, "utf8"));

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Times every cycle; `feed(step)` returns the outputs, `approvedOutcome(output)` is true or false
 * for an outcome and undefined for any other output. The cycle's last outcome must be an approval
 * (not its last output: after about 500 sales the idle kernel asks for a compaction, decision 71).
 */
function timeCycles(feed, approvedOutcome) {
  for (const step of script.setup) feed(step);
  const times = [];
  script.cycles.forEach((cycle, index) => {
    const started = performance.now();
    let approved;
    for (const step of cycle) {
      for (const output of feed(step)) approved = approvedOutcome(output) ?? approved;
    }
    times.push((performance.now() - started) * 1000);
    if (approved !== true) throw new Error(`sale ${index} diverged on replay`);
  });
  return median(times);
}

async function wasmBindgen() {
  const { initSync, Terminal } = await import("../pkg/pos_kernel_web.js");
  initSync({ module: readFileSync(new URL("../pkg/pos_kernel_web_bg.wasm", import.meta.url)) });
  const terminal = Terminal.create(script.config);
  return timeCycles(
    (step) => {
      if (step.typed_pin) terminal.enterPin(step.typed_pin);
      terminal.handle(step.now, step.input);
      return terminal.drain();
    },
    (output) => (output.outcome ? output.outcome.result === "approved" : undefined),
  );
}

async function jco() {
  const { boot, convert } = await import("../jco/host.mjs");
  const { SecurityModule } = await import("../jco/security.mjs");
  const security = new SecurityModule();
  const terminal = boot(security).create(convert.toJco("terminal-api/config", script.config));
  // Inputs in jco's shapes before timing: a host built on jco would hold them that way.
  const toJco = (step) => ({
    now: BigInt(step.now),
    typed_pin: step.typed_pin,
    input: convert.toJco("terminal-api/input", step.input),
  });
  script.setup = script.setup.map(toJco);
  script.cycles = script.cycles.map((cycle) => cycle.map(toJco));
  return timeCycles(
    (step) => {
      if (step.typed_pin) security.enterPin(step.typed_pin);
      terminal.handle(step.now, step.input);
      return terminal.drain();
    },
    (output) => (output.tag === "outcome" ? output.val.result.tag === "approved" : undefined),
  );
}

const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : null;
if (only !== null && only !== "wasm-bindgen" && only !== "jco") {
  console.error(`--only: wasm-bindgen or jco, not ${only}`);
  process.exit(2);
}
const result = {};
if (only !== "jco") result["wasm-bindgen, Node " + process.versions.node] = await wasmBindgen();
if (only !== "wasm-bindgen") result["component via jco, Node " + process.versions.node] = await jco();
console.log(JSON.stringify(result));
