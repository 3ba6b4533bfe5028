// The kernel component in Node through jco: loads generated/ (see transpile.sh) and makes
// terminals that speak the kernel's serde JSON shapes, the factory replay.mjs expects.
import { readFileSync } from "node:fs";
import { instantiate } from "./generated/kernel/kernel.js";
import { makeConverter } from "./convert.mjs";
import { SecurityModule } from "./security.mjs";

const generated = new URL("./generated/", import.meta.url);
export const convert = makeConverter(JSON.parse(readFileSync(new URL("wit.json", generated), "utf8")));

// Compile the core modules once; every terminal instantiates them anew.
const modules = new Map();
function getCoreModule(path) {
  if (!modules.has(path)) modules.set(path, new WebAssembly.Module(readFileSync(new URL(`kernel/${path}`, generated))));
  return modules.get(path);
}

/**
 * A new component instance with a new security module (no working keys), as after power-on.
 * Returns its Terminal resource class.
 */
export function boot(security = new SecurityModule()) {
  const imports = security.imports();
  // The .d.ts names the import `pos:kernel/security@0.5.0`, the JS jco 1.35 generates reads
  // `pos:kernel/security`: give both.
  const root = instantiate(getCoreModule, { "pos:kernel/security": imports, "pos:kernel/security@0.5.0": imports });
  return root.terminalApi.Terminal;
}

/** Wraps a jco Terminal so inputs and outputs are serde JSON values; `enterPin` types on its security module's PIN pad. */
function wrap(terminal, security) {
  return {
    enterPin: (pin) => security.enterPin(pin),
    handle: (now, input) => terminal.handle(BigInt(now), convert.toJco("terminal-api/input", input)),
    pollOutput() {
      const output = terminal.pollOutput();
      return output === undefined ? null : convert.fromJco("terminal-api/output", output);
    },
    status: () => convert.fromJco("terminal-api/status", terminal.status()),
    query(query) {
      const life = terminal.query(convert.toJco("terminal-api/query", query));
      return life === undefined ? null : convert.fromJco("terminal-api/transaction-life", life);
    },
    // result<list<reconciled-item>, string>: jco throws the error's payload.
    reconcileItems(statements, archive) {
      let items;
      try {
        items = terminal.reconcile(statements, archive.map(hexToBytes));
      } catch (error) {
        throw new Error(error?.payload ?? String(error));
      }
      return items.map((item) => convert.fromJco("terminal-api/reconciled-item", item));
    },
  };
}

const hexToBytes = (text) => Uint8Array.from(text.match(/../g) ?? [], (pair) => parseInt(pair, 16));

/** The factory of replay.mjs: every create and restore is a freshly booted terminal. */
export const factory = {
  create(config) {
    const security = new SecurityModule();
    return wrap(boot(security).create(convert.toJco("terminal-api/config", config)), security);
  },
  restore(config, records, now) {
    const security = new SecurityModule();
    const terminal = boot(security).restore(convert.toJco("terminal-api/config", config), records.map(hexToBytes), BigInt(now));
    return wrap(terminal, security);
  },
};
