// No clear card data at rest in the browser (docs/architecture.md, "Keys, PIN and card data"): a
// day at the virtual terminal (swiped and chip sales with a PIN, a tap, a lost reply and its
// reversal, a void, a settlement), then everything the page stored (IndexedDB's journal, anchor
// and trace, and localStorage) is dumped to target/clear-data/browser-indexeddb.json and searched
// by check-clear-data (tests/harness/src/bin: the same search as the posterm and vector checks).
// The simulated bank's own store is the acquirer's side (its accounts are kept by card number),
// not the terminal's, and is left out.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startBench, openTerminal, press, typeDigits, outcome, toMenu, signOn, startSale, waitText, tid } from "./helpers.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));

let bench;
before(async () => {
  bench = await startBench();
});
after(async () => {
  await bench?.close();
});

/** Everything the page stored: IndexedDB's journal, anchor and trace, and localStorage. */
function stored(page) {
  return page.evaluate(async () => {
    const db = await new Promise((resolve, reject) => {
      const open = indexedDB.open("pos-virtual-terminal");
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const all = (name) =>
      new Promise((resolve) => {
        const request = db.transaction(name, "readonly").objectStore(name).getAll();
        request.onsuccess = () => resolve(request.result);
      });
    const stores = {};
    for (const name of ["journal", "meta", "trace"]) stores[name] = await all(name);
    db.close();
    return { indexedDB: stores, localStorage: { ...localStorage } };
  });
}

test("the browser stores no clear card number, track, PIN or key", async () => {
  const page = await openTerminal(bench, { timeout: 1500 });
  await signOn(page);
  await startSale(page, { amount: "1000", card: "0007", how: "swipe", pin: "123456" });
  await outcome(page, "approved");
  await startSale(page, { amount: "500", card: "0012", how: "insert", pin: "123456" });
  await outcome(page, "approved");
  await startSale(page, { amount: "2000", card: "0001", how: "tap" });
  await outcome(page, "approved");
  await page.click(tid("fault-drop-reply"));
  await waitText(page, "pending-faults", /drop the reply/);
  await startSale(page, { amount: "3000", card: "0007", how: "swipe", pin: "123456" });
  await outcome(page, "reversed");
  await toMenu(page);
  await page.click(tid("menu-void"));
  await typeDigits(page, "2");
  await press(page, "ok");
  await outcome(page, "approved");
  const beforeSettlement = await stored(page);
  assert.ok(beforeSettlement.indexedDB.journal.length >= 10, "the day's journal was stored");
  await toMenu(page);
  await page.click(tid("menu-settle"));
  await outcome(page, "approved");
  const afterSettlement = await stored(page);
  assert.ok(afterSettlement.indexedDB.trace.length > 20, "the trace was stored");

  mkdirSync(`${root}/target/clear-data`, { recursive: true });
  const file = `${root}/target/clear-data/browser-indexeddb.json`;
  writeFileSync(file, JSON.stringify({ beforeSettlement, afterSettlement }, null, 2));
  let report;
  try {
    report = execFileSync("cargo", ["run", "--quiet", "-p", "pos-harness", "--bin", "check-clear-data", "--", file], {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (error) {
    assert.fail(`clear data in what the browser stored (${file}):\n${error.stderr ?? error.message}`);
  }
  assert.match(report, /no clear data: \d+ secrets in every encoding/);
  console.log(report.trim());
});
