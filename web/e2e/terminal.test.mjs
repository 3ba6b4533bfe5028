// End-to-end tests of the browser virtual terminal (web/app/) in headless Chromium: each drives
// the page like a cashier and asserts on what the page shows. Screenshots: e2e/screenshots/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  startBench, openTerminal, ready, screenshot, press, typeDigits, outcome, toMenu, signOn, startSale,
  traceLabels, waitTrace, text, waitText, indexOf, tid,
} from "./helpers.mjs";

let bench;
before(async () => {
  bench = await startBench();
});
after(async () => {
  await bench?.close();
});

function assertClean(page) {
  assert.deepEqual(page.problems, [], "no console errors");
}

test("sale approved: chip card with PIN, receipt with the masked PAN", async () => {
  const page = await openTerminal(bench, { lang: "zh" });
  await signOn(page);
  assert.match(await text(page, "screen-signed-on"), /已签到/);

  await startSale(page, { amount: "88800", card: "0012", how: "insert", pin: "123456" });
  const result = await outcome(page, "approved");
  assert.match(result.text, /交易成功/);
  assert.match(result.text, /Approved/, "the other language is shown too");

  const receipt = await page.textContent(tid("receipt"));
  assert.match(receipt, /621700\*{9}0012/);
  assert.match(receipt, /RMB 888\.00/);
  assert.ok(!(await page.textContent("body")).includes("6217000000000000012"), "no full PAN anywhere on the page");

  await waitText(page, "bank-net-charged", /¥888\.00/);
  await waitText(page, "status-approved", /1/);
  // The journal in IndexedDB: sign-on (2 records) and the sale (2 records).
  await waitText(page, "journal-count", /^4$/);

  // The language toggle switches every label.
  await page.click(tid("lang-toggle"));
  assert.match(await text(page, "outcome-cardholder"), /^Approved/);
  assert.match(await text(page, "screen-signed-on"), /Signed on/);
  await screenshot(page, "sale-approved");
  assertClean(page);
  await page.context().close();
});

test("timeout turns into a reversal: 0200, no reply, timeout, 0400, 0410", async () => {
  const page = await openTerminal(bench, { timeout: 1500 });
  await signOn(page);
  await page.click(tid("fault-drop-reply"));
  await waitText(page, "pending-faults", /drop the reply/);

  await startSale(page, { amount: "10000", card: "0007", how: "swipe", pin: "123456" });
  const result = await outcome(page, "reversed");
  assert.match(result.text, /you have not been charged/);

  const labels = await traceLabels(page);
  const sale = indexOf(labels, /^0200 sale$/i);
  const dropped = indexOf(labels, /reply dropped/i, sale);
  const timeout = indexOf(labels, /response timeout fired/i, sale);
  const reversal = indexOf(labels, /^0400 reversal/i, timeout);
  const reply = indexOf(labels, /^0410 00$/, reversal);
  assert.ok(sale >= 0 && dropped > sale && timeout > dropped && reversal > timeout && reply > reversal, `trace order: ${labels.join(" | ")}`);
  // The reversal record was journaled before the 0200 left.
  assert.ok(indexOf(labels, /journal \+1: about_to_send .*reversal 98/i) < sale);

  // Its fields, decoded: reason 98, the PAN masked.
  await page.click(`${tid("trace-entry")}[data-kind="tx"]:has-text("0400")`);
  const detail = await page.textContent(tid("trace-detail"));
  assert.match(detail, /response code\s*98/i);
  assert.match(detail, /622202\*{6}0007/);

  await waitText(page, "status-pending-reversal", /^none$/);
  await waitText(page, "bank-net-charged", /¥0\.00/);
  await screenshot(page, "timeout-reversal");
  assertClean(page);
  await page.context().close();
});

test("reload mid-transaction is a power cut: the reversal goes out first after restart", async () => {
  const page = await openTerminal(bench, { timeout: 60_000 });
  await signOn(page);
  await page.click(tid("fault-drop-reply"));
  await waitText(page, "pending-faults", /drop the reply/);

  await startSale(page, { amount: "30000", card: "0007", how: "swipe", pin: "123456" });
  await waitTrace(page, /^0200 sale$/i);
  await waitTrace(page, /reply dropped/i);
  // The bank charged the card; the terminal does not know (no reply for 60 s). It is waiting,
  // not reversing: its write-ahead reversal is not "pending" yet.
  await waitText(page, "bank-net-charged", /¥300\.00/);
  await waitText(page, "status-in-flight", /000002 · waiting for the acquirer/);
  await waitText(page, "status-pending-reversal", /^none$/);
  assert.match(await text(page, "screen-in-flight"), /Waiting for the acquirer/);
  await screenshot(page, "reload-before");

  await page.reload();
  await ready(page);
  const result = await outcome(page, "reversed");
  assert.match(result.text, /you have not been charged/);
  await waitText(page, "status-pending-reversal", /^none$/);
  await waitText(page, "bank-net-charged", /¥0\.00/);

  const labels = await traceLabels(page);
  // Before the cut: the reversal record was durable before the 0200 left.
  assert.ok(indexOf(labels, /journal \+1: about_to_send .*reversal 98/i) < indexOf(labels, /^0200 sale$/i));
  const power = labels.findLastIndex((l) => /power on: restored from the journal/i.test(l));
  assert.ok(power > indexOf(labels, /^0200 sale$/i), "the power cut comes after the sale in the trace");
  const firstFrame = indexOf(labels, /^0\d{3} /, power);
  assert.match(labels[firstFrame], /^0400 reversal/i, `first frame after the restart: ${labels[firstFrame]}`);
  assert.ok(indexOf(labels, /^0410 00$/, firstFrame) > firstFrame);
  await screenshot(page, "reload-recovered");
  assertClean(page);
  await page.context().close();
});

test("settlement: sales and a void, settle, balanced report", async () => {
  const page = await openTerminal(bench, { timeout: 1500 });
  await signOn(page);
  await startSale(page, { amount: "1000", card: "0007", how: "swipe", pin: "123456" });
  await outcome(page, "approved");
  await startSale(page, { amount: "2000", card: "0001", how: "tap" });
  await outcome(page, "approved");
  await startSale(page, { amount: "500", card: "0012", how: "insert", pin: "123456" });
  await outcome(page, "approved");

  // Void the ¥20.00 sale (STAN 3).
  await toMenu(page);
  await page.click(tid("menu-void"));
  await typeDigits(page, "3");
  await press(page, "ok");
  const voided = await outcome(page, "approved");
  assert.match(voided.text, /Amount ¥20\.00/);
  assert.match(await text(page, "screen-title"), /Void/);
  await waitText(page, "bank-net-charged", /¥15\.00/);

  await toMenu(page);
  await page.click(tid("menu-settle"));
  await outcome(page, "approved");
  const report = page.locator(tid("settlement-report"));
  assert.match(await report.locator(tid("settlement-domestic-result")).innerText(), /平账 BALANCED/);
  const types = await report.locator(tid("settlement-type")).allInnerTexts();
  const flat = types.map((t) => t.replace(/\s+/g, " "));
  assert.ok(flat.some((t) => /SALE 3 35\.00/.test(t)), flat.join(" | "));
  assert.ok(flat.some((t) => /VOID 1 20\.00/.test(t)), flat.join(" | "));
  const reportText = (await report.innerText()).replace(/\s+/g, " ");
  assert.match(reportText, /DEBIT 3 35\.00/);
  assert.match(reportText, /CREDIT 1 20\.00/);

  // The batch advanced and the journal was compacted to one snapshot.
  await waitText(page, "status-batch", /000002/);
  await waitText(page, "journal-count", /^1$/);
  await report.locator(tid("settlement-domestic-result")).scrollIntoViewIfNeeded();
  await screenshot(page, "settlement");
  assertClean(page);
  await page.context().close();
});

test("network down: a sale that cannot leave is failed, nothing charged, no reversal, no exception", async () => {
  const page = await openTerminal(bench, { timeout: 1000 });
  await signOn(page);
  await page.click(tid("network-down"));
  await waitText(page, "screen-statusbar", /Network down/);

  await startSale(page, { amount: "900", card: "0007", how: "swipe", pin: "123456" });
  const result = await outcome(page, "failed");
  assert.match(result.text, /Could not reach the acquirer: not charged/);
  assert.match(result.text, /network is down.*Nothing was sent, nothing was charged/s);
  assert.doesNotMatch(result.text, /may have been charged/);
  const labels = await traceLabels(page);
  assert.ok(labels.some((l) => /network down: 0200 could not leave/i.test(l)), labels.join(" | "));
  assert.equal(labels.filter((l) => /^0400 reversal/i.test(l)).length, 0, "no reversal of what never left");
  await waitText(page, "status-pending-reversal", /^none$/);
  await waitText(page, "status-exceptions", /^none$/);
  await waitText(page, "bank-net-charged", /¥0\.00/);
  await screenshot(page, "network-down-not-sent");
  assertClean(page);
  await page.context().close();
});

test("the link fails after the sale left: the reversal cannot get through, the exception is listed until acknowledged; reset", async () => {
  const page = await openTerminal(bench, { timeout: 1000 });
  await signOn(page);
  await page.click(tid("fault-drop-reply"));
  await startSale(page, { amount: "900", card: "0007", how: "swipe", pin: "123456" });
  await waitTrace(page, /reply dropped/i);
  // The bank charged the card; then the network goes down before the reversal.
  await page.click(tid("network-down"));
  const result = await outcome(page, "reversal_failed");
  assert.match(result.text, /contact the acquirer/);
  const labels = await traceLabels(page);
  assert.equal(labels.filter((l) => /^0400 reversal/i.test(l)).length, 3, labels.join(" | "));
  assert.equal(labels.filter((l) => /network down: 0400 could not leave/i.test(l)).length, 3, labels.join(" | "));
  await waitText(page, "status-pending-reversal", /^none$/);
  await page.waitForSelector(tid("ack-2"));
  await waitText(page, "bank-net-charged", /¥9\.00/);
  await screenshot(page, "network-down-exception");

  await page.click(tid("network-down"));
  await page.click(tid("ack-2"));
  await waitText(page, "status-exceptions", /^none$/);

  // Query: "was this customer charged?" The terminal cannot know: ask the acquirer.
  await toMenu(page);
  await page.click(tid("menu-query"));
  await typeDigits(page, "2");
  await press(page, "ok");
  assert.match(await text(page, "query-charged"), /^unknown: contact the acquirer$/);

  // Reset everything: a new terminal and a new bank.
  page.once("dialog", (dialog) => dialog.accept());
  await page.click(tid("reset"));
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="trace-entry"]').length === 1);
  await ready(page);
  await waitText(page, "journal-count", /^0$/);
  assert.match(await text(page, "screen-signed-on"), /Not signed on/);
  assertClean(page);
  await page.context().close();
});
