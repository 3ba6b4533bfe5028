// End-to-end tests of what the issue "money safety and operator truth" asks of the browser
// terminal: one tab per terminal (Web Lock), a refused journal, refusals before the card is asked
// for, sentences instead of codes, and a phone-sized screen.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  startBench, openTerminal, ready, screenshot, press, typeDigits, outcome, toMenu, signOn, startSale, text, waitText,
  tid,
} from "./helpers.mjs";

let bench;
before(async () => {
  bench = await startBench();
});
after(async () => {
  await bench?.close();
});

test("a second tab on the same terminal says so and does nothing", async () => {
  const first = await openTerminal(bench);
  await signOn(first);
  const second = await first.context().newPage();
  await second.goto(`${bench.url}/app/?lang=en`);
  await second.waitForSelector("body[data-ready=halted]");
  assert.match(await text(second, "halt-notice"), /This terminal is open in another tab/);
  assert.equal(await second.$(tid("terminal")), null, "no keypad, no menu in the second tab");
  await screenshot(second, "second-tab");
  // The first tab goes on; once it is closed, the second one gets the terminal.
  await startSale(first, { amount: "1000", card: "0001", how: "tap" });
  await outcome(first, "approved");
  await first.close();
  await second.reload();
  await ready(second);
  assert.match(await text(second, "screen-signed-on"), /Signed on/);
  await waitText(second, "status-approved", /^1/);
  await second.context().close();
});

test("a sale before sign-on or over the limit is refused before the card is asked for, in words", async () => {
  const page = await openTerminal(bench);
  await toMenu(page);
  await page.click(tid("menu-sale"));
  await typeDigits(page, "1000");
  await press(page, "ok");
  let result = await outcome(page, "failed");
  assert.match(result.text, /Terminal not signed on/);
  assert.match(result.text, /Sign on first/);
  assert.doesNotMatch(result.text, /not_signed_on/);

  await signOn(page);
  await page.click(tid("menu-sale"));
  await typeDigits(page, "6000000");
  await press(page, "ok");
  result = await outcome(page, "failed");
  assert.match(result.text, /limit of RMB 50000\.00/);
  assert.doesNotMatch(result.text, /over_limit|\{/);
  assert.equal(await page.$eval(tid("screen"), (el) => el.dataset.mode), "result", "never the card prompt");
  // No raw codes anywhere a person reads (the trace, the panels), in either language.
  for (const raw of ["not_signed_on", "over_limit", "timer response"]) {
    assert.ok(!(await page.textContent("body")).includes(raw), `"${raw}" on the page`);
  }
  await page.click(tid("lang-toggle"));
  for (const raw of ["not_signed_on", "定时器 response", "response定时器", "Sale", "PreAuth"]) {
    assert.ok(!(await page.textContent(tid("trace"))).includes(raw), `"${raw}" in the Chinese trace`);
  }
  await page.context().close();
});

test("a journal of the previous format (card numbers in clear) is refused until reset", async () => {
  const page = await openTerminal(bench);
  await signOn(page);
  await waitText(page, "journal-count", /^2$/);
  // The anchor as the previous version wrote it: no format (its records kept PANs in clear).
  await page.evaluate(async () => {
    const db = await new Promise((resolve, reject) => {
      const open = indexedDB.open("pos-virtual-terminal");
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const tx = db.transaction("meta", "readwrite");
    const store = tx.objectStore("meta");
    const anchor = await new Promise((resolve) => {
      const request = store.get("anchor");
      request.onsuccess = () => resolve(request.result);
    });
    delete anchor.format;
    store.put(anchor, "anchor");
    await new Promise((resolve) => (tx.oncomplete = resolve));
    db.close();
  });
  await page.reload();
  await page.waitForSelector("body[data-ready=halted]");
  const notice = await text(page, "halt-notice");
  assert.match(notice, /earlier version, which kept card numbers in clear/);
  page.once("dialog", (dialog) => dialog.accept());
  await page.click(tid("reset"));
  await ready(page);
  await signOn(page);
});

test("a journal that lost records, or another terminal id's, is refused until reset", async () => {
  const page = await openTerminal(bench);
  await signOn(page);
  await startSale(page, { amount: "1000", card: "0001", how: "tap" });
  await outcome(page, "approved");
  await waitText(page, "journal-count", /^4$/);
  // Two records disappear from IndexedDB (a damaged or tampered store).
  await page.evaluate(async () => {
    const db = await new Promise((resolve, reject) => {
      const open = indexedDB.open("pos-virtual-terminal");
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const tx = db.transaction("journal", "readwrite");
    const store = tx.objectStore("journal");
    const keys = await new Promise((resolve) => {
      const request = store.getAllKeys();
      request.onsuccess = () => resolve(request.result);
    });
    for (const key of keys.slice(-2)) store.delete(key);
    await new Promise((resolve) => (tx.oncomplete = resolve));
    db.close();
  });
  await page.reload();
  await page.waitForSelector("body[data-ready=halted]");
  const notice = await text(page, "halt-notice");
  assert.match(notice, /Journal refused: nothing was sent/);
  assert.match(notice, /2 record\(s\).*4 record\(s\)/);
  await screenshot(page, "journal-refused");

  // Reset everything is the way out (a new terminal); then a whole day works again.
  page.once("dialog", (dialog) => dialog.accept());
  await page.click(tid("reset"));
  await ready(page);
  await signOn(page);
  await startSale(page, { amount: "1000", card: "0001", how: "tap" });
  await outcome(page, "approved");

  // The same journal opened as another terminal id: refused.
  await page.goto(`${bench.url}/app/?lang=en&tid=10000002`);
  await page.waitForSelector("body[data-ready=halted]");
  assert.match(await text(page, "halt-notice"), /belongs to `10000001`, not to `10000002`/);
  await page.context().close();
});

test("a phone-sized screen: no sideways scrolling, the card tray within reach, a whole sale", async () => {
  const context = await bench.browser.newContext({ viewport: { width: 360, height: 800 }, hasTouch: true, isMobile: true });
  const page = await context.newPage();
  await page.goto(`${bench.url}/app/?reset=1&timeout=1500&lang=zh`);
  await ready(page);
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok((await overflow()) <= 0, `the page is ${await overflow()} px wider than the screen`);
  await signOn(page);
  await toMenu(page);
  await page.click(tid("menu-sale"));
  await typeDigits(page, "2350");
  await press(page, "ok");
  // The terminal asks for a card: the tray scrolls into view and its cards fit the width.
  const card = await page.waitForSelector(tid("card-0001-tap"));
  const box = await card.boundingBox();
  assert.ok(box && box.x >= 0 && box.x + box.width <= 360, `card at ${JSON.stringify(box)}`);
  await card.click();
  const result = await outcome(page, "approved");
  assert.match(result.text, /交易成功/);
  assert.ok((await overflow()) <= 0, "no sideways scrolling after the sale either");
  await screenshot(page, "phone-360");
  await context.close();
});
