// The terminal itself: screen, transaction menu and keypad, and the flow of one transaction:
// menu → fields (amount, original STAN/RRN/date) → card → PIN → processing → result.
// The flow only gathers what the kernel needs; every decision is the kernel's (deps.submit).
import { h, fill } from "./dom.mjs";
import { t, txnName, pick, other, onLang, lang } from "../i18n.mjs";
import { yuan, stan6, clock, parseBalance, mmdd, maskPan } from "../format.mjs";

/** The menu, with the number key that selects each item (as on a real terminal). */
const MENU = [
  ["sign_on", "1"], ["sale", "2"], ["void", "3"],
  ["refund", "4"], ["balance", "5"], ["pre_auth", "6"],
  ["pre_auth_cancel", "7"], ["completion", "8"], ["completion_void", "9"],
  ["settle", "0"], ["query", null], ["status", null],
];

/** What each transaction asks for. Void and completion void use the journaled card (no card). */
const SPECS = {
  sign_on: { fields: [] },
  sale: { fields: ["amount"], card: true },
  void: { fields: ["original_stan"] },
  refund: { fields: ["amount", "original_rrn", "original_date"], card: true },
  balance: { fields: [], card: true },
  pre_auth: { fields: ["amount"], card: true },
  pre_auth_cancel: { fields: ["original_stan"], card: true },
  completion: { fields: ["original_stan", "amount"], card: true },
  completion_void: { fields: ["original_stan"] },
  settle: { fields: [] },
  query: { fields: ["stan"], local: true },
  status: { fields: [], local: true },
};

const RULES = {
  amount: { max: 10, valid: (v) => Number(v) > 0 },
  original_stan: { max: 6, valid: (v) => Number(v) >= 1 && Number(v) <= 999999 },
  stan: { max: 6, valid: (v) => Number(v) >= 1 && Number(v) <= 999999 },
  original_rrn: { max: 12, valid: (v) => /^\d{12}$/.test(v) },
  original_date: { max: 4, valid: (v) => /^(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$/.test(v) },
};

const ICONS = { approved: "✓", declined: "✕", reversed: "↺", reversal_failed: "⚠", failed: "✕", settled_unbalanced: "⚠" };

export class TerminalUI {
  #screen;
  #deps;
  #state = { mode: "menu" };
  #status = null;
  #timer = null; // { at, total } of the response timer
  #recent = {}; // hints from earlier outcomes: last sale STAN, RRN, …
  #keypad;

  /**
   * deps: submit(input), query(stan), status(), checkBeforeCard(kind, amount), makeCard(card,
   * how, pin), networkDown(), modeChanged(mode)
   */
  constructor(root, deps) {
    this.#deps = deps;
    this.#screen = h("div", { class: "screen", testid: "screen" });
    this.#keypad = h("div", { class: "keypad" });
    fill(root,
      h("div", { class: "device", testid: "terminal" },
        h("div", { class: "printer-slot" }, h("span", {})),
        h("div", { class: "device-head" },
          h("span", { class: "model", "data-i18n": "device_model" }, t("device_model")),
          h("span", { class: "leds" }, h("i", { class: "led power on" }), h("i", { class: "led net", testid: "led-net" }), h("i", { class: "led busy", testid: "led-busy" }))),
        h("div", { class: "bezel" }, h("div", { class: "tap-mark", title: t("tap_zone") }, ")))"), this.#screen),
        this.#keypad,
        h("div", { class: "device-foot" },
          h("div", { class: "chip-slot" }, h("span", { "data-i18n": "chip_slot" }, t("chip_slot")))),
        h("div", { class: "swipe-slot" }, h("span", { "data-i18n": "swipe_slot" }, t("swipe_slot")))));
    this.#renderKeypad();
    onLang(() => {
      this.#renderKeypad();
      this.render();
    });
    document.addEventListener("keydown", (e) => this.#physicalKey(e));
    setInterval(() => this.#tick(), 250);
    this.render();
  }

  get mode() {
    return this.#state.mode;
  }

  // ---- inputs from the rest of the page ----

  setStatus(status) {
    this.#status = status;
    this.#renderStatusBar();
    this.#root().dataset.busy = status?.busy ? "true" : "false";
    this.#root().querySelector(".led.busy")?.classList.toggle("on", !!status?.busy);
    this.#root().querySelector(".led.net")?.classList.toggle("on", !this.#deps.networkDown());
  }

  /** One keypad key: "0".."9", "00", "back", "clear", "ok", "cancel", "menu". */
  key(k) {
    const mode = this.#state.mode;
    if (mode === "processing") return;
    if (k === "menu" || (k === "cancel" && mode !== "form")) return this.#toMenu();
    if (mode === "menu") {
      const item = MENU.find(([, n]) => n === k);
      if (item) this.select(item[0]);
    } else if (mode === "form") this.#formKey(k);
    else if (["result", "query", "status"].includes(mode) && k === "ok") this.#toMenu();
  }

  select(kind) {
    const spec = SPECS[kind];
    this.#state = { mode: "form", kind, values: Object.fromEntries(spec.fields.map((f) => [f, ""])), index: 0 };
    if (spec.fields.length === 0) return this.#afterFields();
    this.#setMode();
  }

  /** The kernel asks for the card (again): its prompt and the interfaces it allows. */
  cardRequired(request) {
    const s = this.#state;
    if (!s.begun) return;
    Object.assign(s, { mode: "card", request, pinAsked: false });
    this.#setMode();
  }

  /** The kernel asks the PIN pad for the PIN (a tap above the CVM limit). */
  pinRequired(request) {
    const s = this.#state;
    if (!s.begun) return;
    Object.assign(s, { mode: "pin", request, pinAsked: true });
    this.#setMode();
  }

  /** What the kernel last asked the card reader for, while it waits for a card. */
  get cardRequest() {
    return this.#state.mode === "card" ? this.#state.request ?? null : null;
  }

  cardPresented(card, how) {
    if (this.#state.mode !== "card") return;
    this.#state.card = { card, how };
    // A swiped or inserted card with a PIN: the cardholder types it before the card goes in.
    if (card.pin && how !== "tap") {
      this.#state.mode = "pin";
      this.#setMode();
    } else this.#present(this.#deps.makeCard(card, how, null));
  }

  /** The card reader reports an outcome instead of a card (the tray's reader controls). */
  readerOutcome(outcome) {
    if (this.#state.mode !== "card") return;
    this.#deps.submit({ card_reader: outcome });
  }

  pinEntered(pin) {
    const s = this.#state;
    if (s.mode !== "pin") return;
    if (s.pinAsked) {
      this.#deps.enterPin(pin);
      this.#toProcessing(null);
      return this.#deps.submit("pin_entered");
    }
    const { card, how } = s.card;
    this.#present(this.#deps.makeCard(card, how, pin));
  }

  pinCancelled() {
    const s = this.#state;
    if (s.mode !== "pin") return;
    // The kernel's card phase ends with "cancelled"; nothing was sent.
    if (s.begun) return this.#deps.submit({ card_reader: "cancelled" });
    this.#toMenu();
  }

  /** Remembers what later transactions may refer to (void's STAN, refund's RRN and date). */
  noteOutcome(outcome) {
    const r = outcome.receipt;
    if (outcome.result !== "approved" || !r) return;
    if (r.transaction === "sale") Object.assign(this.#recent, { sale: r.stan, rrn: r.rrn, date: mmdd(r.date_time) });
    if (r.transaction === "pre_auth") this.#recent.pre_auth = r.stan;
    if (r.transaction === "completion") this.#recent.completion = r.stan;
    if (r.transaction === "void") this.#recent.sale = null;
    if (r.transaction === "completion_void") this.#recent.completion = null;
    if (["pre_auth_cancel", "completion"].includes(r.transaction)) this.#recent.pre_auth = null;
    this.#recent.stan = r.stan;
  }

  outcome(outcome) {
    this.noteOutcome(outcome);
    const mode = this.#state.mode;
    if (["form", "card", "pin"].includes(mode) && !this.#state.begun) {
      // Someone is keying a new transaction: do not throw it away, just tell.
      this.#state.notice = outcome;
      return this.render();
    }
    this.#state = { mode: "result", outcome };
    this.#setMode();
  }

  event(event) {
    const name = typeof event === "string" ? event : Object.keys(event)[0];
    const body = typeof event === "string" ? {} : event[name];
    const s = this.#state;
    if (s.mode !== "processing") {
      // A reversal the terminal resumes by itself (after a restart, or a retry): show it.
      if (!["menu", "result", "query", "status"].includes(s.mode) || !["reversal_sent", "outcome_unknown"].includes(name)) return;
      this.#state = { mode: "processing", kind: "reversal", background: true, phase: "reversal", stan: body.stan };
    }
    const p = this.#state;
    if (name === "sending") Object.assign(p, { phase: "sending", stan: body.stan });
    else if (name === "card_verdict_required") p.phase = "card";
    else if (name === "outcome_unknown") Object.assign(p, { phase: "unknown", warn: true });
    else if (name === "reversal_sent") Object.assign(p, { phase: "reversal", attempt: body.attempt, warn: true });
    else if (name === "refund_pending") Object.assign(p, { phase: "refund_pending", warn: true });
    else if (name === "settlement_step") Object.assign(p, { phase: "settlement", settlementPhase: body.phase });
    else if (name === "sign_on_required") p.note = t("phase_sign_on_required");
    else if (name === "reply_ignored") p.note = t("phase_reply_ignored", { reason: body.reason });
    else if (name === "journal_failed") Object.assign(p, { phase: "journal_failed", warn: true });
    else if (name === "not_sent") Object.assign(p, { phase: "not_sent", cause: body.cause, warn: true });
    this.#setMode();
  }

  transmitted() {
    if (this.#state.mode === "processing") {
      this.#state.sent = true;
      this.render();
    }
  }

  timer(name, at) {
    if (name !== "response") return;
    this.#timer = at ? { at, total: at - Date.now() } : null;
    if (this.#state.mode === "processing") this.render();
  }

  // ---- the flow ----

  #formKey(k) {
    const s = this.#state;
    const field = SPECS[s.kind].fields[s.index];
    const value = s.values[field];
    s.error = null;
    if (/^\d+$/.test(k)) {
      let next = value + k;
      if (field === "amount") next = next.replace(/^0+/, "");
      if (next.length <= RULES[field].max) s.values[field] = next;
    } else if (k === "back") s.values[field] = value.slice(0, -1);
    else if (k === "clear") s.values[field] = "";
    else if (k === "cancel") {
      if (value) s.values[field] = "";
      else return this.#toMenu();
    } else if (k === "ok") {
      const chosen = value || String(this.#hint(field) ?? "");
      if (!RULES[field].valid(chosen)) s.error = t("invalid_field");
      else {
        s.values[field] = chosen;
        s.index += 1;
        if (s.index >= SPECS[s.kind].fields.length) return this.#afterFields();
      }
    }
    this.render();
  }

  #hint(field) {
    const kind = this.#state.kind;
    const r = this.#recent;
    if (field === "original_stan") {
      const stan = { void: r.sale, completion_void: r.completion, pre_auth_cancel: r.pre_auth, completion: r.pre_auth }[kind];
      return stan ? String(stan) : null;
    }
    if (field === "original_rrn") return r.rrn ?? null;
    if (field === "original_date") return r.date ?? null;
    if (field === "stan") return r.stan ? String(r.stan) : null;
    return null;
  }

  #afterFields() {
    const s = this.#state;
    const spec = SPECS[s.kind];
    if (s.kind === "query") {
      this.#state = { mode: "query", stan: Number(s.values.stan), life: this.#deps.query(Number(s.values.stan)) };
      return this.#setMode();
    }
    if (s.kind === "status") {
      this.#state = { mode: "status" };
      return this.#setMode();
    }
    if (spec.card) {
      // What the terminal can refuse now (not signed on, over the limit) is refused before the
      // customer is asked for a card.
      const amount = s.values.amount ? Number(s.values.amount) : null;
      const refusal = this.#deps.checkBeforeCard(s.kind, amount);
      if (refusal) {
        const outcome = { transaction: s.kind, stan: null, result: { failed: { reason: refusal.reason } }, guidance: refusal.guidance };
        this.#state = { mode: "result", outcome };
        return this.#setMode();
      }
      // The kernel's card phase: it checks again, then asks for the card (card_required).
      Object.assign(s, { mode: "card", begun: true, request: null });
      this.#setMode();
      return this.#deps.submit({ command: { begin: this.#begin() } });
    }
    this.#send();
  }

  /** The transaction without its card, as the kernel's `begin` takes it. */
  #begin() {
    const s = this.#state;
    const v = s.values ?? {};
    const begin = { transaction: s.kind };
    if (v.amount) begin.amount = Number(v.amount);
    if (v.original_stan) begin.original_stan = Number(v.original_stan);
    if (v.original_rrn) begin.original_rrn = v.original_rrn;
    if (v.original_date) begin.original_date = v.original_date;
    return begin;
  }

  /** The card read goes to the kernel; the screen shows the transaction in progress. */
  #present(card) {
    this.#toProcessing(card);
    this.#deps.submit({ card_presented: card });
  }

  #toProcessing(card) {
    const s = this.#state;
    const v = s.values ?? {};
    const amount = v.amount ? Number(v.amount) : undefined;
    const original_stan = v.original_stan ? Number(v.original_stan) : undefined;
    this.#state = {
      ...s,
      mode: "processing",
      amount,
      original_stan,
      card: card ? maskPan(card.pan) : s.card?.card?.masked ?? null,
      how: s.card?.how,
      phase: "sending",
    };
    this.#setMode();
  }

  /** A transaction without a card phase: sign-on, settlement, a void keying in the journaled card. */
  #send() {
    const s = this.#state;
    const original_stan = s.values?.original_stan ? Number(s.values.original_stan) : undefined;
    const command = {
      sign_on: () => "sign_on",
      settle: () => "settle",
      void: () => ({ void: { original_stan, card: null } }),
      completion_void: () => ({ completion_void: { original_stan, card: null } }),
    }[s.kind]();
    // The processing screen must be up before the kernel answers (a local refusal is immediate).
    this.#toProcessing(null);
    this.#deps.submit({ command });
  }

  #toMenu() {
    this.#state = { mode: "menu" };
    this.#setMode();
  }

  #setMode() {
    this.#deps.modeChanged(this.#state.mode);
    this.render();
  }

  #physicalKey(e) {
    if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement || e.ctrlKey || e.metaKey || e.altKey) return;
    const map = { Enter: "ok", Escape: "cancel", Backspace: "back", Delete: "clear" };
    const k = /^\d$/.test(e.key) ? e.key : map[e.key];
    if (!k) return;
    e.preventDefault();
    if (this.#deps.pinpadActive()) this.#deps.pinpadKey(k);
    else this.key(k);
  }

  // ---- drawing ----

  #root() {
    return this.#screen.closest(".device") ?? this.#screen;
  }

  #renderKeypad() {
    const key = (k, label, cls = "") => h("button", { class: `key ${cls}`, testid: `key-${k}`, onclick: () => this.key(k) }, label);
    fill(this.#keypad,
      key("1", "1"), key("2", "2"), key("3", "3"), key("cancel", t("key_cancel"), "fn red"),
      key("4", "4"), key("5", "5"), key("6", "6"), key("back", `⌫ ${t("key_back")}`, "fn yellow"),
      key("7", "7"), key("8", "8"), key("9", "9"), key("clear", t("key_clear"), "fn orange"),
      key("menu", t("key_menu"), "fn grey"), key("0", "0"), key("00", "00"), key("ok", t("key_ok"), "fn green"));
  }

  render() {
    const s = this.#state;
    this.#screen.dataset.mode = s.mode;
    const body = {
      menu: () => this.#menu(),
      form: () => this.#form(),
      card: () => this.#cardPrompt(),
      pin: () => this.#pinPrompt(),
      processing: () => this.#processing(),
      result: () => this.#result(),
      query: () => this.#query(),
      status: () => this.#statusScreen(),
    }[s.mode]();
    fill(this.#screen,
      h("div", { class: "statusbar", testid: "screen-statusbar" }),
      s.notice ? h("div", { class: `notice ${s.notice.guidance.category}`, testid: "screen-notice" }, `${txnName(s.notice.transaction)} ${stan6(s.notice.stan)}: ${pick(s.notice.guidance.cardholder)}`) : null,
      h("div", { class: "screen-body" }, body));
    this.#renderStatusBar();
  }

  #renderStatusBar() {
    const bar = this.#screen.querySelector(".statusbar");
    if (!bar) return;
    const s = this.#status;
    const items = [];
    if (s) {
      items.push(h("span", { class: `badge ${s.signed_on && !s.sign_on_required ? "ok" : "bad"}`, testid: "screen-signed-on" },
        s.sign_on_required ? t("status_sign_on_required") : s.signed_on ? t("status_signed_on") : t("status_not_signed_on")));
      items.push(h("span", {}, `${t("screen_batch")} ${stan6(s.batch)}`));
      items.push(h("span", {}, `${t("screen_stan")} ${stan6(s.last_stan)}`));
      if (s.in_flight) items.push(h("span", { class: "badge", testid: "screen-in-flight" }, t(s.in_flight.waiting_for === "card" ? "status_waiting_card" : "status_waiting")));
      if (s.pending_reversal) items.push(h("span", { class: "badge warn", testid: "screen-pending-reversal" }, t("status_reversal")));
      const open = (s.exceptions ?? []).filter((e) => !e.acknowledged).length;
      if (open) items.push(h("span", { class: "badge bad" }, t("status_exceptions", { n: open })));
    }
    if (this.#deps.networkDown()) items.push(h("span", { class: "badge bad" }, t("status_net_down")));
    items.push(h("span", { class: "clock" }, clock(Date.now(), false)));
    fill(bar, items);
  }

  #title(text, sub) {
    return h("div", { class: "screen-title", testid: "screen-title" }, text, sub ? h("small", {}, sub) : null);
  }

  #menu() {
    return [
      this.#title(lang() === "zh" ? "主菜单" : "Main menu", t("prompt_menu")),
      h("div", { class: "menu", testid: "menu" },
        MENU.map(([kind, n]) =>
          h("button", { class: "menu-item", testid: `menu-${kind}`, onclick: () => this.select(kind) },
            h("span", { class: "n" }, n ?? "·"), h("span", {}, txnName(kind))))),
    ];
  }

  #form() {
    const s = this.#state;
    const fields = SPECS[s.kind].fields;
    return [
      this.#title(txnName(s.kind)),
      h("div", { class: "fields" }, fields.map((f, i) => {
        const value = s.values[f];
        const hint = this.#hint(f);
        const shown = f === "amount" ? (value ? yuan(value) : "¥0.00") : value || (i === s.index && hint ? hint : "");
        return h("div", { class: `field${i === s.index ? " active" : ""}${i < s.index ? " done" : ""}`, testid: `field-${f}` },
          h("label", {}, t(`field_${f}`)),
          h("div", { class: `value${!value && f !== "amount" && hint && i === s.index ? " hint" : ""}${f === "amount" ? " amount" : ""}`, testid: `field-${f}-value` }, shown, i === s.index ? h("span", { class: "caret" }) : null));
      })),
      h("div", { class: `prompt${s.error ? " error" : ""}`, testid: "screen-prompt" },
        s.error ?? (!s.values[fields[s.index]] && this.#hint(fields[s.index]) ? t("prompt_field_hint", { hint: this.#hint(fields[s.index]) }) : t("prompt_field"))),
    ];
  }

  #summary() {
    const s = this.#state;
    const v = s.values ?? {};
    const amount = v.amount ?? s.amount;
    return h("div", { class: "summary" },
      amount ? h("div", { class: "big-amount", testid: "screen-amount" }, yuan(amount)) : null,
      v.original_stan || s.original_stan ? h("div", {}, `${t("field_original_stan")}: ${stan6(v.original_stan || s.original_stan)}`) : null,
      v.original_rrn ? h("div", {}, `${t("field_original_rrn")}: ${v.original_rrn}`) : null);
  }

  #cardPrompt() {
    // The kernel's own prompt (tap again, insert ...) once it has asked.
    const request = this.#state.request;
    return [
      this.#title(txnName(this.#state.kind)),
      this.#summary(),
      h("div", { class: "card-prompt" },
        h("div", { class: "card-anim" }, h("i", { class: "c1" }), h("i", { class: "c2" })),
        h("div", { class: "prompt big", testid: "screen-prompt" }, request ? pick(request.prompt) : t("prompt_card")),
        request ? h("div", { class: "prompt small" }, other(request.prompt)) : null,
        h("div", { class: "prompt" }, t("prompt_card_hint"))),
    ];
  }

  #pinPrompt() {
    const { card, how } = this.#state.card ?? {};
    return [
      this.#title(txnName(this.#state.kind)),
      this.#summary(),
      card ? h("div", { class: "prompt" }, t("card_read", { card: card.masked, how: t(`how.${how}`) })) : null,
      h("div", { class: "prompt big", testid: "screen-prompt" }, t("prompt_pin")),
      h("div", { class: "prompt" }, t("prompt_pin_hint")),
    ];
  }

  #processing() {
    const s = this.#state;
    const phase = {
      sending: s.sent ? t("phase_waiting") : t("phase_sending"),
      card: t("phase_card"),
      unknown: t("phase_unknown"),
      reversal: t("phase_reversal", { attempt: s.attempt ?? 1 }),
      refund_pending: t("phase_refund_pending"),
      settlement: t("phase_settlement", { phase: s.settlementPhase ?? "" }),
      journal_failed: t("phase_journal_failed"),
      not_sent: t("phase_not_sent", { cause: s.cause ?? "" }),
    }[s.phase] ?? "";
    const timer = this.#timer;
    const remaining = timer ? Math.max(0, timer.at - Date.now()) : 0;
    return [
      this.#title(s.background ? t("background_reversal") : txnName(s.kind), s.stan ? `${t("stan")} ${stan6(s.stan)}` : null),
      this.#summary(),
      s.card ? h("div", { class: "prompt" }, t("card_read", { card: s.card, how: t(`how.${s.how}`) })) : null,
      h("div", { class: `phase${s.warn ? " warn" : ""}`, testid: "screen-phase" }, h("span", { class: "spinner" }), phase),
      timer
        ? h("div", { class: "countdown", testid: "countdown" },
          h("div", { class: "bar", style: `--from:${((remaining / timer.total) * 100).toFixed(1)}%; animation-duration:${remaining}ms` }),
          h("span", { "data-countdown": timer.at }, t("timeout_in", { s: (remaining / 1000).toFixed(1) })))
        : null,
      s.note ? h("div", { class: "prompt warn" }, s.note) : null,
    ];
  }

  #result() {
    const o = this.#state.outcome;
    const result = typeof o.result === "string" ? o.result : Object.keys(o.result)[0];
    const detail = typeof o.result === "string" ? null : o.result[result];
    const category = o.guidance?.category ?? result;
    const balance = o.balance ? parseBalance(o.balance) : null;
    const lines = [];
    if (detail?.response_code) lines.push(`${t("response_code")} ${detail.response_code}`);
    if (o.receipt) lines.push(`${t("amount")} ${yuan(o.receipt.amount)} · ${t("rrn")} ${o.receipt.rrn ?? "—"}`);
    if (o.settlement) lines.push(`${t("settle_result")}: ${t(`verdict.${o.settlement.domestic_result}`)} / ${t(`verdict.${o.settlement.foreign_result}`)}`);
    return [
      this.#title(txnName(o.transaction), o.stan != null ? `${t("stan")} ${stan6(o.stan)}` : null),
      h("div", { class: `outcome ${category} r-${result}`, testid: "outcome", dataset: { result, category } },
        h("div", { class: "icon" }, ICONS[result] ?? "•"),
        h("div", { class: "cardholder", testid: "outcome-cardholder" }, pick(o.guidance.cardholder), h("small", {}, other(o.guidance.cardholder))),
        balance ? h("div", { class: "big-amount", testid: "outcome-balance" }, `${t("balance")} ${yuan(balance.amount)}`) : null,
        h("div", { class: "merchant", testid: "outcome-merchant" }, h("b", {}, `${t("merchant")}: `), pick(o.guidance.merchant), h("small", {}, other(o.guidance.merchant))),
        lines.map((l) => h("div", { class: "line" }, l))),
      h("div", { class: "prompt" }, t("prompt_back")),
    ];
  }

  #query() {
    const { stan, life } = this.#state;
    if (!life) return [this.#title(txnName("query"), `${t("stan")} ${stan6(stan)}`), h("div", { class: "prompt big", testid: "query-result" }, t("query_none"))];
    const steps = (life.steps ?? []).map((x) => (typeof x === "string" ? x : Object.keys(x)[0])).join(" → ");
    return [
      this.#title(txnName("query"), `${t("stan")} ${stan6(stan)}`),
      h("dl", { class: "query kvs", testid: "query-result" },
        h("div", { class: "kv" }, h("dt", {}, t("slip_type")), h("dd", {}, txnName(life.transaction))),
        life.amount != null ? h("div", { class: "kv" }, h("dt", {}, t("amount")), h("dd", {}, yuan(life.amount))) : null,
        life.card ? h("div", { class: "kv" }, h("dt", {}, t("slip_card")), h("dd", {}, life.card)) : null,
        life.rrn ? h("div", { class: "kv" }, h("dt", {}, t("rrn")), h("dd", {}, life.rrn)) : null,
        h("div", { class: "kv" }, h("dt", {}, t("query_steps")), h("dd", {}, steps)),
        h("div", { class: "kv big" }, h("dt", {}, t("query_charged")), h("dd", { testid: "query-charged" }, t(`charged.${life.charged}`)))),
      h("div", { class: "prompt" }, t("prompt_back")),
    ];
  }

  #statusScreen() {
    const s = this.#deps.status();
    return [
      this.#title(txnName("status")),
      h("dl", { class: "query kvs" },
        [["st_batch", stan6(s.batch)], ["st_stan", stan6(s.last_stan)], ["st_approved", t("st_count_amount", { n: s.approved_count, amount: yuan(s.net_total) })],
          ["st_pending_reversal", s.pending_reversal ? `${t("stan")} ${stan6(s.pending_reversal.stan)}` : t("none")],
          ["st_exceptions", String((s.exceptions ?? []).filter((e) => !e.acknowledged).length)],
          ["st_pending_refunds", String((s.pending_refunds ?? []).length)]].map(([k, v]) => h("div", { class: "kv" }, h("dt", {}, t(k)), h("dd", {}, v)))),
      h("div", { class: "prompt" }, t("prompt_back")),
    ];
  }

  #tick() {
    const clockEl = this.#screen.querySelector(".statusbar .clock");
    if (clockEl) clockEl.textContent = clock(Date.now(), false);
    const countdown = this.#screen.querySelector("[data-countdown]");
    if (countdown) countdown.textContent = t("timeout_in", { s: (Math.max(0, Number(countdown.dataset.countdown) - Date.now()) / 1000).toFixed(1) });
  }
}

