// The card side in the browser (docs/architecture.md, rule 19): the kernel asks for the card,
// the card tray answers it, and the tray's reader controls play what a card reader reports
// instead of a card. Each ending shows its guidance; nothing is sent for a card never read.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startBench, openTerminal, screenshot, press, typeDigits, outcome, toMenu, signOn, traceLabels, waitText, tid } from "./helpers.mjs";

let bench;
before(async () => {
  bench = await startBench();
});
after(async () => {
  await bench?.close();
});

/** Chooses a sale of `amount` fen; the kernel then asks for the card. */
async function beginSale(page, amount) {
  await toMenu(page);
  await page.click(tid("menu-sale"));
  await typeDigits(page, amount);
  await press(page, "ok");
  await page.waitForSelector(`${tid("screen")}[data-mode="card"]`);
}

async function typePin(page, pin) {
  await page.waitForSelector(`${tid("pinpad")}.active`);
  for (const d of pin) await page.click(tid(`pin-${d}`));
  await page.click(tid("pin-ok"));
}

const sales = async (page) => (await traceLabels(page)).filter((l) => /^0200 /i.test(l)).length;

test("card phase: a cut tap, another interface, a refused card, a PIN above the CVM limit, a card pulled out", async () => {
  const page = await openTerminal(bench);
  await signOn(page);

  // A tap cut short: the kernel asks to tap again and hold the card; the second tap is approved.
  await beginSale(page, "3500");
  await page.click(tid("reader-try_again"));
  await waitText(page, "tray-prompt", /Tap again and hold the card until the beep/);
  await page.click(tid("card-0001-tap"));
  await outcome(page, "approved");
  assert.equal(await sales(page), 1, "one 0200 for the two taps");

  // The card asks for another interface: the tap is no longer offered; inserted, it is approved.
  await beginSale(page, "4200");
  await page.click(tid("reader-try_another_interface"));
  await waitText(page, "tray-prompt", /cannot be tapped/);
  assert.ok(await page.isDisabled(tid("card-0012-tap")), "no tap offered");
  await page.click(tid("card-0012-insert"));
  await typePin(page, "123456");
  await outcome(page, "approved");

  // An expired card, as the reader reports it: refused before anything is sent.
  const before = await sales(page);
  await beginSale(page, "2000");
  await page.click(tid("reader-card_expired"));
  const expired = await outcome(page, "failed");
  assert.match(expired.text, /The card has expired/);
  assert.equal(await sales(page), before, "nothing sent");

  // A tap above the CVM limit (1,000.00): the kernel asks the PIN pad.
  await beginSale(page, "150000");
  await page.click(tid("card-0012-tap"));
  await typePin(page, "123456");
  await outcome(page, "approved");

  // The chip card pulled out after the approval: reversed (06), nothing charged.
  await page.click(tid("pull-card"));
  await waitText(page, "pull-card", /will be pulled out early/);
  await beginSale(page, "7700");
  await page.click(tid("card-0012-insert"));
  await typePin(page, "123456");
  const pulled = await outcome(page, "reversed");
  assert.match(pulled.text, /removed too early/);
  await waitText(page, "pull-card", /pull the card out after the approval/);
  await screenshot(page, "card-phase");

  assert.deepEqual(page.problems, [], "no console errors");
  await page.context().close();
});
