// The browser virtual terminal's main flows in every engine: Chromium (V8), Firefox
// (SpiderMonkey) and WebKitGTK (JavaScriptCore), each driven through web/tools/browsers.mjs with
// the same few calls (clicks are the page's own click events; what is asserted is read from the
// DOM). The other end-to-end tests go deeper in Chromium alone.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve } from "../serve.mjs";
import { ENGINES, open, click, waitFor } from "../tools/browsers.mjs";

const tid = (id) => `[data-testid="${id}"]`;
const q = (selector) => JSON.stringify(selector);
const textOf = (page, id) => page.evaluate(`document.querySelector(${q(tid(id))})?.textContent.trim() ?? ""`);
const waitText = (page, id, pattern) =>
  waitFor(page, `new RegExp(${q(pattern.source)}).test(document.querySelector(${q(tid(id))})?.textContent ?? "")`);

async function press(page, ...keys) {
  for (const key of keys) await click(page, tid(`key-${key}`));
}

async function outcome(page, result) {
  await waitFor(page, `document.querySelector(${q(`${tid("outcome")}[data-result="${result}"]`)}) !== null`);
  return textOf(page, "outcome");
}

async function toMenu(page) {
  await press(page, "menu");
  await waitFor(page, `document.querySelector(${q(`${tid("screen")}[data-mode="menu"]`)}) !== null`);
}

async function ready(page) {
  await waitFor(page, `document.body.dataset.ready === "true"`, 60_000);
}

async function sale(page, { amount, card, how, pin }) {
  await toMenu(page);
  await click(page, tid("menu-sale"));
  await press(page, ...String(amount));
  await press(page, "ok");
  await click(page, tid(`card-${card}-${how}`));
  if (pin) {
    await waitFor(page, `document.querySelector(${q(`${tid("pinpad")}.active`)}) !== null`);
    for (const digit of pin) await click(page, tid(`pin-${digit}`));
    await click(page, tid("pin-ok"));
  }
}

let server;
let url;
before(async () => {
  ({ server, url } = await serve({ port: 0 }));
});
after(() => server?.close());

for (const [name, engine] of Object.entries(ENGINES)) {
  test(`${engine}: sign-on, a chip sale with its masked receipt, a lost reply reversed, a power cut mid-sale, a settlement`, async () => {
    const page = await open(name);
    try {
      await page.goto(`${url}/app/?reset=1&timeout=1500&lang=en`);
      await ready(page);
      await toMenu(page);
      await click(page, tid("menu-sign_on"));
      await outcome(page, "approved");

      await sale(page, { amount: "88800", card: "0012", how: "insert", pin: "123456" });
      assert.match(await outcome(page, "approved"), /Approved/);
      assert.match(await textOf(page, "receipt"), /621700\*{9}0012/);
      const body = await page.evaluate("document.body.textContent");
      assert.ok(!body.includes("6217000000000000012"), "no full PAN anywhere on the page");
      await waitText(page, "bank-net-charged", /¥888\.00/);

      // The bank's reply is lost: the terminal reverses, nothing is charged.
      await click(page, tid("fault-drop-reply"));
      await waitText(page, "pending-faults", /drop the reply/);
      await sale(page, { amount: "10000", card: "0007", how: "swipe", pin: "123456" });
      assert.match(await outcome(page, "reversed"), /you have not been charged/);
      await waitText(page, "status-pending-reversal", /^none$/);
      await waitText(page, "bank-net-charged", /¥888\.00/);

      // A power cut while the terminal waits for the reply: after the restart the reversal goes out.
      await page.goto(`${url}/app/?timeout=60000&lang=en`);
      await ready(page);
      await click(page, tid("fault-drop-reply"));
      await waitText(page, "pending-faults", /drop the reply/);
      await sale(page, { amount: "30000", card: "0007", how: "swipe", pin: "123456" });
      await waitText(page, "status-in-flight", /waiting for the acquirer/);
      await waitText(page, "bank-net-charged", /¥1,188\.00/);
      await page.reload();
      await ready(page);
      assert.match(await outcome(page, "reversed"), /you have not been charged/);
      await waitText(page, "bank-net-charged", /¥888\.00/);

      await toMenu(page);
      await click(page, tid("menu-settle"));
      await outcome(page, "approved");
      assert.deepEqual(page.errors, [], "no page errors");
    } finally {
      await page.close();
    }
  });
}
