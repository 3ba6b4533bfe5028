// The vectors through the wasm-bindgen build in Node (web/pkg, built by scripts/build-web.sh).
import { readFileSync } from "node:fs";
import { initSync, Terminal } from "../pkg/pos_kernel_web.js";
import { replayAll } from "./replay.mjs";
import { loadVectors, report } from "./load-node.mjs";

initSync({ module: readFileSync(new URL("../pkg/pos_kernel_web_bg.wasm", import.meta.url)) });

const factory = {
  create: (config) => Terminal.create(config),
  restore: (config, records, now) => Terminal.restore(config, records, now),
};

report("wasm-bindgen (Node)", replayAll(loadVectors(), factory));
