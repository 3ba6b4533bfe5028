// The vectors through the wasm-bindgen build in Node: web/pkg (with the simulated acquirer, what
// the demo loads), or with --kernel-only web/pkg-kernel (the kernel alone, as a vendor embeds
// it). Both built by scripts/build-web.sh.
import { readFileSync } from "node:fs";
import { replayAll } from "./replay.mjs";
import { loadVectors, report } from "./load-node.mjs";

const kernelOnly = process.argv.includes("--kernel-only");
const pkg = kernelOnly ? "../pkg-kernel/" : "../pkg/";
const { initSync, Terminal } = await import(new URL(pkg + "pos_kernel_web.js", import.meta.url));
initSync({ module: readFileSync(new URL(pkg + "pos_kernel_web_bg.wasm", import.meta.url)) });

const factory = {
  create: (config) => Terminal.create(config),
  restore: (config, records, now) => Terminal.restore(config, records, now),
};

report(kernelOnly ? "wasm-bindgen (kernel only, Node)" : "wasm-bindgen (Node)", replayAll(loadVectors(), factory));
