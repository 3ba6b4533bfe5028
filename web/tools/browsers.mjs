// Every browser engine the tests run in, each from Debian and driven without a downloaded
// browser: Chromium (V8) by playwright-core; Firefox (SpiderMonkey) by puppeteer-core over
// WebDriver BiDi; WebKitGTK (JavaScriptCore) by WebKitWebDriver over classic WebDriver (a small
// client below), under Xvfb when there is no display. `open(name)` gives the same small
// interface for each: goto(url), reload(), evaluate(expression), errors, close(); on top of it,
// `click(page, selector)` and `waitFor(page, expression)`.
import { spawn, execFileSync } from "node:child_process";
import { createServer } from "node:net";
import { launchChromium } from "./chromium.mjs";

export const ENGINES = {
  chromium: "Chromium",
  firefox: "Firefox",
  webkit: "WebKit",
};

function which(command, env, install) {
  if (process.env[env]) return process.env[env];
  try {
    return execFileSync("sh", ["-c", `command -v ${command}`], { encoding: "utf8" }).trim();
  } catch {
    throw new Error(`${command} not found: ${install} (scripts/test-web.sh does it), or set ${env}`);
  }
}

/** A page in a new browser of engine `name` (chromium, firefox or webkit). */
export async function open(name) {
  switch (name) {
    case "chromium":
      return openPlaywright(await launchChromium());
    case "firefox":
      return openFirefox();
    case "webkit":
      return openWebKit();
    default:
      throw new Error(`unknown browser ${name}: expected ${Object.keys(ENGINES).join(", ")}`);
  }
}

/** A page of playwright's or puppeteer's (the calls used here are the same in both). */
async function openPlaywright(browser) {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  return {
    errors,
    goto: (url) => page.goto(url),
    reload: () => page.reload(),
    evaluate: (expression) => page.evaluate(expression),
    close: () => browser.close(),
  };
}

async function openFirefox() {
  const { default: puppeteer } = await import("puppeteer-core");
  const browser = await puppeteer.launch({
    browser: "firefox",
    protocol: "webDriverBiDi",
    executablePath: which("firefox-esr", "FIREFOX", "apt-get install -y firefox-esr"),
    headless: true,
    // Off the network this machine does not have: no updates, telemetry or captive-portal checks.
    extraPrefsFirefox: {
      "app.update.enabled": false,
      "network.captive-portal-service.enabled": false,
      "datareporting.policy.dataSubmissionEnabled": false,
      "toolkit.telemetry.enabled": false,
    },
  });
  return openPlaywright(browser);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** WebKitWebDriver, and a classic WebDriver session on it (the few commands the tests need). */
async function openWebKit() {
  const driver = which("WebKitWebDriver", "WEBKIT_WEBDRIVER", "apt-get install -y webkit2gtk-driver");
  const port = await freePort();
  // WebKitGTK's browser needs a display: a virtual one (Xvfb) unless there is one.
  const [command, args] = process.env.DISPLAY
    ? [driver, [`--port=${port}`]]
    : [which("xvfb-run", "XVFB_RUN", "apt-get install -y xvfb xauth"), ["-a", driver, `--port=${port}`]];
  const child = spawn(command, args, { stdio: ["ignore", "ignore", "inherit"], detached: true });
  const base = `http://127.0.0.1:${port}`;
  const call = async (method, path, body) => {
    const response = await fetch(base + path, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await response.json();
    if (!response.ok) throw new Error(`WebKitWebDriver ${method} ${path}: ${JSON.stringify(json.value ?? json)}`);
    return json.value;
  };
  let session;
  for (let tries = 0; session === undefined; tries++) {
    try {
      session = await call("POST", "/session", {
        capabilities: { alwaysMatch: { "webkitgtk:browserOptions": { args: ["--automation"] } } },
      });
    } catch (error) {
      if (tries > 100) {
        process.kill(-child.pid);
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const id = session.sessionId;
  return {
    errors: [],
    goto: (url) => call("POST", `/session/${id}/url`, { url }),
    reload: () => call("POST", `/session/${id}/refresh`, {}),
    evaluate: (expression) => call("POST", `/session/${id}/execute/sync`, { script: `return (${expression});`, args: [] }),
    async close() {
      await call("DELETE", `/session/${id}`).catch(() => {});
      try {
        process.kill(-child.pid);
      } catch {
        // already gone
      }
    },
  };
}

/** Clicks the element `selector` finds, as the page's own click handlers see it. */
export async function click(page, selector) {
  const found = await page.evaluate(
    `(() => { const el = document.querySelector(${JSON.stringify(selector)}); if (!el) return false; el.click(); return true; })()`,
  );
  if (!found) throw new Error(`click: nothing matches ${selector}`);
}

/** Waits until `expression` is truthy in the page; its value. */
export async function waitFor(page, expression, timeout = 20_000) {
  const started = Date.now();
  for (;;) {
    const value = await page.evaluate(expression).catch(() => undefined);
    if (value) return value;
    if (Date.now() - started > timeout) throw new Error(`waited ${timeout} ms for ${expression}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
