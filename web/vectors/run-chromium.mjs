// The vectors through the wasm-bindgen build in headless Chromium: serves web/, opens
// vectors/browser.html, waits for its result and prints it like every other host.
import { serve } from "../serve.mjs";
import { launchChromium } from "../tools/chromium.mjs";
import { report } from "./load-node.mjs";

const { server, url } = await serve({ port: 0 });
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  const pageErrors = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
  await page.goto(`${url}/vectors/browser.html`);
  await page.waitForFunction(() => document.body.dataset.result !== undefined, null, { timeout: 120_000 });
  const result = JSON.parse(await page.evaluate(() => document.body.dataset.result));
  for (const message of pageErrors) console.error(`page error: ${message}`);
  report("wasm-bindgen (Chromium)", result);
} finally {
  await browser.close();
  server.close();
}
