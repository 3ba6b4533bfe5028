// Launches Debian's Chromium headless through playwright-core (which never downloads a browser
// here). The flags keep Chromium off the network this machine does not have.
import { chromium } from "playwright-core";
import { execFileSync } from "node:child_process";

export function chromiumPath() {
  if (process.env.CHROMIUM) return process.env.CHROMIUM;
  try {
    return execFileSync("sh", ["-c", "command -v chromium"], { encoding: "utf8" }).trim();
  } catch {
    throw new Error("chromium not found: apt-get install -y chromium (scripts/test-web.sh does it), or set CHROMIUM");
  }
}

/** A headless browser; playwright gives every launch a new empty profile. */
export async function launchChromium() {
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return browser;
}
