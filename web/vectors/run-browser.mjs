// The vectors through the wasm-bindgen build in a browser engine: serves web/, opens
// vectors/browser.html in Chromium, Firefox or WebKit (`--browser NAME`, default chromium), waits
// for its result and prints it like every other host.
import { serve } from "../serve.mjs";
import { ENGINES, open } from "../tools/browsers.mjs";
import { report } from "./load-node.mjs";

const at = process.argv.indexOf("--browser");
const name = at > 0 ? process.argv[at + 1] : "chromium";
if (!(name in ENGINES)) {
  console.error(`run-browser: --browser ${name}: expected one of ${Object.keys(ENGINES).join(", ")}`);
  process.exit(2);
}

const { server, url } = await serve({ port: 0 });
const page = await open(name);
try {
  await page.goto(`${url}/vectors/browser.html`);
  const started = Date.now();
  let result;
  while ((result = await page.evaluate("document.body.dataset.result")) == null) {
    if (Date.now() - started > 180_000) throw new Error(`${ENGINES[name]}: no result in 180 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  for (const message of page.errors) console.error(`page error: ${message}`);
  report(`wasm-bindgen (${ENGINES[name]})`, JSON.parse(result));
} finally {
  await page.close();
  server.close();
}
