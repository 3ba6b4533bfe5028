// Helpers for the end-to-end tests: a server and a browser for the whole file, a fresh browser
// context (so a fresh IndexedDB) per test, and the few gestures a cashier makes. Everything
// asserted is read from the page's DOM, as a person would see it.
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "../serve.mjs";
import { launchChromium } from "../tools/chromium.mjs";

const here = dirname(fileURLToPath(import.meta.url));
export const SCREENSHOTS = join(here, "screenshots");

export const tid = (id) => `[data-testid="${id}"]`;

export async function startBench() {
  const { server, url } = await serve({ port: 0 });
  const browser = await launchChromium();
  return {
    url,
    browser,
    async close() {
      await browser.close();
      server.close();
    },
  };
}

/**
 * Opens the terminal in a new context with state cleared. Collects console errors and page
 * errors in `page.problems`.
 */
export async function openTerminal(bench, { timeout = 1500, lang = "en" } = {}) {
  const context = await bench.browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const page = await context.newPage();
  page.problems = [];
  page.on("console", (message) => {
    if (message.type() === "error") page.problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => page.problems.push(`page error: ${error.message}`));
  page.setDefaultTimeout(15_000);
  await page.goto(`${bench.url}/app/?reset=1&timeout=${timeout}&lang=${lang}`);
  await ready(page);
  return page;
}

export async function ready(page) {
  await page.waitForSelector("body[data-ready=true]");
}

export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true, animations: "disabled" });
}

/** Presses terminal keys: "8880 0" → 8, 8, 8, 0, 0 ("00", "ok" etc. as words). */
export async function press(page, ...keys) {
  for (const key of keys) await page.click(tid(`key-${key}`));
}

export async function typeDigits(page, digits) {
  for (const d of String(digits)) await press(page, d);
}

/** Waits for the screen's outcome; returns its {result, text}. */
export async function outcome(page, result) {
  const selector = result ? `${tid("outcome")}[data-result="${result}"]` : tid("outcome");
  const el = await page.waitForSelector(selector);
  return { result: await el.getAttribute("data-result"), text: await el.innerText() };
}

/** Back to the main menu from a result screen. */
export async function toMenu(page) {
  await press(page, "menu");
  await page.waitForSelector(`${tid("screen")}[data-mode="menu"]`);
}

export async function signOn(page) {
  await toMenu(page);
  await page.click(tid("menu-sign_on"));
  await outcome(page, "approved");
  await toMenu(page);
}

/** Keys a sale and presents a card (with its PIN on the PIN pad when it has one). */
export async function startSale(page, { amount, card, how, pin }) {
  await toMenu(page);
  await page.click(tid("menu-sale"));
  await typeDigits(page, amount);
  await press(page, "ok");
  await page.click(tid(`card-${card}-${how}`));
  if (pin) {
    await page.waitForSelector(`${tid("pinpad")}.active`);
    for (const d of pin) await page.click(tid(`pin-${d}`));
    await page.click(tid("pin-ok"));
  }
  await page.waitForSelector(`${tid("screen")}:is([data-mode="processing"], [data-mode="result"])`);
}

/** The trace's labels, in order. */
export function traceLabels(page) {
  return page.$$eval(`${tid("trace-entry")} ${tid("trace-label")}`, (els) => els.map((e) => e.textContent));
}

/** Waits until some trace label matches `pattern` (a RegExp source, case-insensitive). */
export async function waitTrace(page, pattern) {
  await page.waitForFunction(
    (source) => [...document.querySelectorAll('[data-testid="trace-label"]')].some((e) => new RegExp(source, "i").test(e.textContent)),
    pattern instanceof RegExp ? pattern.source : pattern,
  );
}

export async function text(page, testid) {
  return (await page.textContent(tid(testid)))?.trim();
}

/** Waits until an element's text matches. */
export async function waitText(page, testid, pattern) {
  await page.waitForFunction(
    ([sel, source]) => new RegExp(source).test(document.querySelector(sel)?.textContent ?? ""),
    [tid(testid), pattern instanceof RegExp ? pattern.source : pattern],
  );
}

/** The index of the first label at or after `from` matching `pattern`, or -1. */
export function indexOf(labels, pattern, from = 0) {
  for (let i = from; i < labels.length; i++) if (pattern.test(labels[i])) return i;
  return -1;
}
