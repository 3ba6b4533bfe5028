// What a UnionPay acquirer requires around the transactions, in the browser (docs/architecture.md,
// rule 16): the bank sends an issuer script with a chip approval and asks, in its replies' header,
// for a CA key update; the trace shows the script result advice, every step of the update and the
// settlement's TC upload; the status panel shows the keys the acquirer downloaded.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startBench, openTerminal, screenshot, outcome, toMenu, signOn, startSale, waitText, waitTrace, traceLabels, indexOf, tid } from "./helpers.mjs";

let bench;
before(async () => {
  bench = await startBench();
});
after(async () => {
  await bench?.close();
});

test("uploads, advices and downloads: the trace shows each message, the status panel the sets", async () => {
  const page = await openTerminal(bench, { timeout: 1500 });
  await signOn(page);
  await waitText(page, "status-dl-ca-keys", /none downloaded/);

  // The bank's next chip approval carries an issuer script, and its replies ask for new CA keys.
  await page.click(tid("issuer-script"));
  await page.click(tid("ask-ca_keys"));
  await startSale(page, { amount: "4200", card: "0012", how: "insert", pin: "123456" });
  await outcome(page, "approved");

  // The script result advice goes out after the sale; the key update runs once it is answered.
  await waitTrace(page, "^0620 ");
  await waitTrace(page, "CA key download end");
  await waitText(page, "status-dl-ca-keys", /A000000333\/02 A000000333\/03 A000000333\/04 A000000333\/08 A000000333\/09/);
  const labels = await traceLabels(page);
  const sale = indexOf(labels, /^0200 /);
  const advice = indexOf(labels, /^0620 /, sale);
  const query = indexOf(labels, /^0820 .*CA key query/, advice);
  const download = indexOf(labels, /^0800 .*CA key download 1 of 5/, query);
  assert.ok(sale >= 0 && advice > sale && query > advice && download > query, labels.join("\n"));
  assert.ok(indexOf(labels, /card reader given the acquirer's 5 CA keys/) > download, "the card reader got the keys");

  // Settlement: the chip approval's TC upload before the end.
  await toMenu(page);
  await page.click(tid("menu-settle"));
  await outcome(page, "approved");
  await waitTrace(page, "TC upload 1");
  const settled = await traceLabels(page);
  const tc = indexOf(settled, /^0320 .*TC upload 1/);
  assert.ok(tc > indexOf(settled, /^0500 /) && indexOf(settled, /^0320 .*207/, tc) > tc, settled.join("\n"));
  assert.match(await page.textContent(tid("printer")), /TC UPLOADS.*000002/s, "the settlement report lists the TC upload");

  await page.locator(tid("status-downloads")).scrollIntoViewIfNeeded();
  await screenshot(page, "downloads");
  assert.deepEqual(page.problems, [], "no console errors");
  await page.context().close();
});
