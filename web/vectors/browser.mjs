// The vectors through the wasm-bindgen build in a browser: fetches every vector from the server
// (web/serve.mjs), replays it with the same code as Node, and shows the result. run-browser.mjs
// reads `document.body.dataset.result` (in Chromium, Firefox and WebKit).
import init, { Terminal } from "../pkg/pos_kernel_web.js";
import { replayAll } from "./replay.mjs";

const factory = {
  create: (config) => Terminal.create(config),
  restore: (config, records, now) => Terminal.restore(config, records, now),
};

async function main() {
  await init();
  const names = await (await fetch("/vectors-data/index.json")).json();
  const vectors = await Promise.all(names.map(async (name) => (await fetch(`/vectors-data/${name}`)).json()));
  const result = replayAll(vectors, factory);
  document.getElementById("result").textContent = `${result.passed} passed, ${result.failed} failed`;
  document.getElementById("failures").textContent = result.failures.map((f) => `${f.id}: ${f.detail}`).join("\n\n");
  document.body.dataset.result = JSON.stringify(result);
}

main().catch((error) => {
  document.getElementById("result").textContent = `error: ${error.message}`;
  document.body.dataset.result = JSON.stringify({ passed: 0, failed: 1, failures: [{ id: "page", detail: String(error) }] });
});
