// Boots the virtual terminal: takes the terminal's Web Lock (one writer: a second tab only says
// the terminal is open elsewhere), loads the kernel (wasm), rebuilds the bank from its log,
// checks and restores the terminal from its journal (or creates a new one), and wires the views
// together.
//
// URL parameters: ?timeout=MS (the response timeout; default 8000), ?lang=zh|en, ?tid=ID (the
// terminal id, 8 characters; default the test terminal's), ?reset=1 (clear everything first;
// removed from the address so a later reload is a plain power cut).
import init, { Terminal, testCards, presentCard, defaultConfig, checkJournal, transactionKinds } from "../pkg/pos_kernel_web.js";
import { openStore } from "./store.mjs";
import { Bank } from "./bank.mjs";
import { Network } from "./network.mjs";
import { Trace } from "./trace.mjs";
import { Host } from "./host.mjs";
import { t, lang, setLang, applyI18n, setKinds } from "./i18n.mjs";
import { TerminalUI } from "./ui/terminal.mjs";
import { CardTray } from "./ui/cards.mjs";
import { PinPad } from "./ui/pinpad.mjs";
import { Printer } from "./ui/printer.mjs";
import { TraceView } from "./ui/trace-view.mjs";
import { StatusPanel, JournalPanel, BankPanel } from "./ui/panels.mjs";
import { ReconcilePanel } from "./ui/reconcile.mjs";

const $ = (id) => document.getElementById(id);

function configFromUrl(params) {
  const timeout = Number(params.get("timeout"));
  const response_timeout_ms = Number.isFinite(timeout) && timeout >= 200 ? Math.round(timeout) : 8000;
  const config = { response_timeout_ms, reversal_retry_interval_ms: Math.min(5000, response_timeout_ms) };
  const tid = params.get("tid");
  if (tid) config.terminal_id = tid;
  return config;
}

/**
 * Takes the terminal's Web Lock and holds it for the page's life: true if this tab got it. One
 * journal, one writer (a second tab would send with the same STANs).
 */
function holdTerminalLock(terminalId) {
  if (!navigator.locks) return Promise.resolve(true); // not a secure context: nothing to coordinate with
  return new Promise((resolve) => {
    navigator.locks.request(`pos-terminal:${terminalId}`, { ifAvailable: true }, (lock) => {
      resolve(lock !== null);
      return lock ? new Promise(() => {}) : undefined;
    });
  });
}

/** Replaces the counter with a notice (the terminal does not start). */
function halt(titleKey, helpKey, detail = "") {
  const main = document.querySelector("main.counter");
  main.replaceChildren();
  const box = document.createElement("div");
  box.className = "halt-notice";
  box.dataset.testid = "halt-notice";
  const title = document.createElement("h2");
  title.dataset.i18n = titleKey;
  const help = document.createElement("p");
  help.dataset.i18n = helpKey;
  const more = document.createElement("p");
  more.className = "mono";
  more.textContent = detail;
  box.append(title, help, more);
  main.append(box);
  applyI18n(document);
  document.body.dataset.ready = "halted";
}

async function boot() {
  const params = new URLSearchParams(location.search);
  setLang(lang());
  await init();
  setKinds(transactionKinds());
  const config = configFromUrl(params);
  const terminalId = config.terminal_id ?? defaultConfig().terminal_id;
  if (!(await holdTerminalLock(terminalId))) return halt("other_tab", "other_tab_help");
  const store = await openStore();
  if (params.has("reset")) {
    await store.clearAll();
    Network.forget();
    params.delete("reset");
    history.replaceState(null, "", `${location.pathname}${params.size ? `?${params}` : ""}`);
  }
  // Wired first, so that a journal that cannot be restored can still be thrown away.
  let stopAll = () => {};
  $("reset").addEventListener("click", async () => {
    if (!confirm(t("reset_confirm"))) return;
    stopAll();
    await store.clearAll();
    Network.forget();
    location.reload();
  });

  const trace = new Trace(store);
  await trace.load();
  const bank = await Bank.open(store);
  const journal = await store.readJournal();
  const refused = journal.anchor && checkJournal(journal.anchor, journal.records.length, terminalId);
  if (refused) {
    console.warn("journal refused", refused);
    const help = refused.reason === "old_format" ? "journal_old_format_help" : "journal_refused_help";
    return halt("journal_refused", help, refused.message);
  }
  await store.adopt(terminalId, journal);
  const { records } = journal;
  const hadHistory = trace.entries.length > 0;
  // Restore may resume work (a pending reversal is sent first); its outputs are carried out
  // below, once the views are listening.
  const terminal = records.length > 0 ? Terminal.restore(config, records, Date.now()) : Terminal.create(config);

  // Views
  const printer = new Printer($("paper"), $("slips"));
  new TraceView($("trace-panel"), trace);
  const journalPanel = new JournalPanel($("journal-panel"), store);
  let host;
  let ui;
  const submit = (input) => host.input(input);

  const pinpad = new PinPad($("pinpad-panel"), {
    onEnter: (pin) => ui.pinEntered(pin),
    onCancel: () => ui.pinCancelled(),
  });
  const cards = new CardTray($("cards-panel"), {
    cards: testCards(),
    bank,
    onPresent: (card, how) => ui.cardPresented(card, how),
    onReader: (outcome) => ui.readerOutcome(outcome),
    onPull: (armed) => {
      host.pullNextCard = armed;
      cards.setPullArmed(armed);
    },
  });
  const statusPanel = new StatusPanel($("status-panel"), {
    onAcknowledge: (stan) => submit({ command: { acknowledge_exception: { stan } } }),
  });

  const network = new Network({
    bank,
    trace,
    deliver: (input) => host.input(input),
    // A held-back reply comes after the terminal has given up on it.
    lateAfterMs: config.response_timeout_ms + 700,
    changed: () => {
      bankPanel.render();
      cards.render();
    },
  });

  // Reconciliation and reprint read the journal (the kernel's state) and the archive.
  const merchantId = config.merchant_id ?? defaultConfig().merchant_id;
  const reconcilePanel = new ReconcilePanel($("reconcile-panel"), {
    bankDates: () => bank.statementDates(),
    bankStatement: (date) => bank.statement(merchantId, date),
    reconcile: async (texts) => host.terminal.reconcile(texts, await store.archive(), false),
    reprint: async (request) => printer.reprint(host.terminal.reprint(request, await store.archive())),
    download: (date) => {
      const blob = new Blob([bank.statement(merchantId, date)], { type: "text/plain;charset=utf-8" });
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = `statement-${merchantId}-${date}.txt`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 1000);
    },
  });

  const refresh = () => {
    const status = host.terminal.status();
    ui.setStatus(status);
    statusPanel.render(status);
    reconcilePanel.render();
    bankPanel.render();
    cards.render();
    journalPanel.refresh().catch((error) => console.warn("journal not read", error));
  };

  const bankPanel = new BankPanel($("bank-panel"), {
    bank,
    network,
    terminalId,
    faultNames: Bank.faultNames(),
    actions: {
      inject: async (name) => {
        await bank.inject(name);
        trace.add({ kind: "bank", what: "inject", fault: name });
        refresh();
      },
      ask: async (task) => {
        await bank.ask(terminalId, task);
        trace.add({ kind: "bank", what: "ask", task });
        refresh();
      },
      script: async () => {
        await bank.sendScript();
        trace.add({ kind: "bank", what: "script" });
        refresh();
      },
      clear: async () => {
        await bank.clearFaults();
        trace.add({ kind: "bank", what: "clear" });
        refresh();
      },
      setNetworkDown: (down) => {
        network.down = down;
        refresh();
      },
    },
  });

  ui = new TerminalUI($("terminal"), {
    submit,
    query: (stan) => host.terminal.query({ stan }),
    status: () => host.terminal.status(),
    checkBeforeCard: (kind, amount) => host.terminal.checkBeforeCard(kind, amount),
    // The keypad's PIN goes to the terminal's PIN pad (its security module), never into the
    // card the kernel gets: that only says a PIN was entered.
    // A PIN the pad refuses (not 4 to 12 digits) leaves it empty: the kernel then says to enter
    // the PIN again.
    makeCard: (card, how, pin) => {
      if (pin !== null) {
        try {
          host.terminal.enterPin(pin);
        } catch {
          // the pad stays empty
        }
      }
      return presentCard(card.pan, card.expiry, how, pin !== null);
    },
    networkDown: () => network.down,
    pinpadActive: () => pinpad.active,
    pinpadKey: (k) => pinpad.key(k),
    enterPin: (pin) => {
      try {
        host.terminal.enterPin(pin);
      } catch {
        // the pad stays empty: the kernel then says to enter the PIN again
      }
    },
    modeChanged: (mode) => {
      cards.setWaiting(mode === "card", ui?.cardRequest ?? null);
      if (mode === "pin") pinpad.activate();
      else pinpad.deactivate();
      // On a narrow screen the card tray and the PIN pad are below the terminal: bring the one
      // the terminal waits for into view.
      const wanted = { card: "cards-panel", pin: "pinpad-panel" }[mode];
      if (wanted && window.matchMedia("(max-width: 860px)").matches) $(wanted).scrollIntoView({ block: "start", behavior: "smooth" });
    },
  });

  host = new Host({
    terminal,
    store,
    network,
    trace,
    hooks: {
      outcome: (outcome) => {
        printer.print(outcome);
        ui.outcome(outcome);
      },
      event: (event) => {
        // The armed "pull the card early" control is used up by this chip card.
        if (event?.card_verdict_required) cards.setPullArmed(false);
        ui.event(event);
      },
      cardRequired: (request) => ui.cardRequired(request),
      pinRequired: (request) => ui.pinRequired(request),
      transmitted: (frame) => ui.transmitted(frame),
      timer: (name, at) => ui.timer(name, at),
      changed: refresh,
      failed: (error) => {
        console.error(error);
        showError(error);
      },
    },
  });

  stopAll = () => {
    host.stop();
    network.stop();
  };

  // What was printed before the power cut is still on the counter.
  for (const entry of trace.entries) {
    if (entry.kind === "outcome") {
      printer.print(entry.outcome, false);
      ui.noteOutcome(entry.outcome);
    }
  }
  trace.add(records.length > 0 ? { kind: "power", what: "restore", records: records.length, afterCut: hadHistory } : { kind: "power", what: "new" });
  if (bank.replayErrors) console.warn(`${bank.replayErrors} bank log entries could not be replayed`);


  refresh();
  await host.resume();
  document.body.dataset.ready = "true";
}

function showError(error, key = "error") {
  const box = $("error");
  box.hidden = false;
  box.textContent = `${t(key)}: ${error?.message ?? error}`;
}

applyI18n(document);
$("lang").addEventListener("click", () => setLang(lang() === "zh" ? "en" : "zh"));
boot().catch((error) => {
  console.error(error);
  showError(error, "boot_error");
});
