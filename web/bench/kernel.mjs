// Kernel CPU per sale cycle on the JavaScript hosts: the script `posterm bench` recorded
// (target/bench/sale-cycles.json) replayed through the wasm-bindgen build and through the
// component transpiled by jco, in Node. Prints one JSON object: host name -> median µs per cycle.
//
//   node web/bench/kernel.mjs target/bench/sale-cycles.json [--only wasm-bindgen|jco]
//
// (--only runs one host, e.g. under `node --cpu-prof` to see where its time goes.)
//
// As on the Rust side, each cycle is timed from its first input to its last output, every output
// is drained, and a cycle that does not end approved fails the run.
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

/** Times every cycle; `feed(step)` returns the outputs, `approved(last)` checks the last one. */
function timeCycles(feed, approved) {
  for (const step of script.setup) feed(step);
  const times = [];
  script.cycles.forEach((cycle, index) => {
    const started = performance.now();
    let last;
    for (const step of cycle) {
      const outputs = feed(step);
      if (outputs.length > 0) last = outputs[outputs.length - 1];
    }
    times.push((performance.now() - started) * 1000);
    if (!approved(last)) throw new Error(`sale ${index} diverged on replay`);
  });
  return median(times);
}

async function wasmBindgen() {
  const { initSync, Terminal } = await import("../pkg/pos_kernel_web.js");
  initSync({ module: readFileSync(new URL("../pkg/pos_kernel_web_bg.wasm", import.meta.url)) });
  const terminal = Terminal.create(script.config);
  return timeCycles(
    (step) => {
      terminal.handle(step.now, step.input);
      return terminal.drain();
    },
    (last) => last?.outcome?.result === "approved",
  );
}

async function jco() {
  const { boot, convert } = await import("../jco/host.mjs");
  const terminal = boot().create(convert.toJco("terminal-api/config", script.config));
  // Inputs in jco's shapes before timing: a host built on jco would hold them that way.
  const toJco = (step) => ({ now: BigInt(step.now), input: convert.toJco("terminal-api/input", step.input) });
  script.setup = script.setup.map(toJco);
  script.cycles = script.cycles.map((cycle) => cycle.map(toJco));
  return timeCycles(
    (step) => {
      terminal.handle(step.now, step.input);
      return terminal.drain();
    },
    (last) => last?.tag === "outcome" && last.val.result.tag === "approved",
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
