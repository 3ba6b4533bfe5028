// Was I paid? in the browser (docs/architecture.md, rules 17 and 18): a sale, a sale the bank
// approves only after the terminal gave up (a late approval), a settlement; the reconciliation
// panel loads the bank's statement and shows the late approval as money to chase, with its
// guidance and the transaction's life; a statement altered by hand is refused whole, with its
// line; the last receipt and the settlement report print again, marked 重打印 / REPRINT.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startBench, openTerminal, screenshot, outcome, toMenu, signOn, startSale, waitText, tid } from "./helpers.mjs";

let bench;
before(async () => {
  bench = await startBench();
});
after(async () => {
  await bench?.close();
});

test("reconciliation: the bank's statement finds the late approval; reprints are marked", async () => {
  const page = await openTerminal(bench, { timeout: 1500 });
  await signOn(page);
  await startSale(page, { amount: "1234", card: "0001", how: "tap" });
  await outcome(page, "approved");
  await page.selectOption(tid("fault-other"), "late-approval");
  await waitText(page, "pending-faults", /./);
  await startSale(page, { amount: "38500", card: "0001", how: "tap" });
  const late = await outcome(page, "reversed");
  assert.match(late.text, /not been charged/, "the terminal told the operator the customer was not charged");
  await toMenu(page);
  await page.click(tid("menu-settle"));
  await outcome(page, "settled_unbalanced");

  // The bank offers its statement; the panel matches it against the journal and the archive.
  await page.waitForSelector(`${tid("recon-bank")}:not([disabled])`);
  await page.click(tid("recon-bank"));
  const result = page.locator(tid("recon-result"));
  await result.waitFor();
  assert.equal(await result.getAttribute("data-action"), "chase");
  assert.match(await page.locator(tid("recon-credited")).innerText(), /^1\b/);
  const line = page.locator(`${tid("recon-line")}[data-finding="late_approval"]`);
  assert.equal(await line.count(), 1, "one late approval");
  assert.equal(await line.getAttribute("data-stan"), "3");
  await line.locator("summary").click();
  const guidance = await line.locator(tid("recon-guidance")).innerText();
  assert.match(guidance, /STAN 000003/);
  assert.match(guidance, /385\.00/);
  assert.match(await line.innerText(), /reversed/, "the transaction's life as the terminal recorded it");
  await line.scrollIntoViewIfNeeded();
  await screenshot(page, "reconciliation");

  // A statement altered by hand: refused whole, with the line.
  const [date] = await page.$$eval(`[data-testid^="statement-2"]`, (els) => els.map((e) => e.textContent));
  assert.match(date, /^\d{8}$/);
  await page.setInputFiles(tid("recon-file"), {
    name: "statement.txt",
    mimeType: "text/plain",
    buffer: Buffer.from(`H|${date}|48020000|123456789012345|1\nD|bad\nT|1|0|0|0\n`),
  });
  await waitText(page, "recon-error", /statement line 2/);

  // Reprints: the last receipt, then the settlement report, each marked.
  await page.click(tid("reprint-last"));
  await page.waitForSelector(`${tid("printer")} ${tid("reprint-mark")}`);
  assert.match(await page.locator(`${tid("printer")} ${tid("receipt-amount")}`).innerText(), /12\.34/);
  await page.click(tid("reprint-settlement"));
  await page.waitForSelector(`${tid("printer")} ${tid("settlement-report")} ${tid("reprint-mark")}`);
  await page.fill(tid("reprint-stan"), "3");
  await page.click(tid("reprint-stan-go"));
  await waitText(page, "recon-error", /was not approved/);

  assert.deepEqual(page.problems, [], "no console errors");
  await page.context().close();
});
