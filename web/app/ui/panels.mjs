// The side panels: terminal status (terminal.status()), the journal as IndexedDB holds it, and
// the bank with its fault switches, the network switch and its ledger.
import { h, fill } from "./dom.mjs";
import { t, txnName, onLang } from "../i18n.mjs";
import { yuan, stan6, maskPan, bytesOfHex } from "../format.mjs";
import { summarizeRecord } from "../records.mjs";

export class StatusPanel {
  #root;
  #status = null;
  #onAcknowledge;

  constructor(root, { onAcknowledge }) {
    this.#root = root;
    this.#onAcknowledge = onAcknowledge;
    onLang(() => this.render(this.#status));
  }

  render(s) {
    this.#status = s;
    if (!s) return;
    const yesNo = (v) => (v ? t("yes") : t("no"));
    const item = (key, value, testid, warn = false) =>
      h("div", { class: `kv${warn ? " warn" : ""}` }, h("dt", {}, t(key)), h("dd", { testid }, value));
    const reversal = s.pending_reversal
      ? `${txnName(s.pending_reversal.transaction)} ${t("stan")} ${stan6(s.pending_reversal.stan)} ${yuan(s.pending_reversal.amount)} ${s.pending_reversal.card ?? ""} (${s.pending_reversal.reason})`
      : t("none");
    const open = (s.exceptions ?? []).filter((e) => !e.acknowledged);
    const advices = s.pending_advices ?? [];
    // What the acquirer downloaded, each set with the time it was installed.
    const dl = s.downloads ?? {};
    const params = dl.parameters
      ? `${dl.parameters.installed_at}: ${Object.entries(dl.parameters.parameters).filter(([, v]) => v != null).map(([k, v]) => `${k} ${v}`).join(", ")}`
      : t("st_dl_none");
    const keys = dl.ca_keys
      ? `${dl.ca_keys.installed_at}: ${dl.ca_keys.keys.map((k) => `${k.rid.toUpperCase()}/${k.index.toString(16).padStart(2, "0").toUpperCase()}`).join(" ")}`
      : t("st_dl_nothing");
    const aids = dl.ic_parameters
      ? `${dl.ic_parameters.installed_at}: ${dl.ic_parameters.aids.map((a) => a.aid.toUpperCase()).join(" ")}`
      : t("st_dl_nothing");
    const due = (s.management_due ?? []).map((task) => t(`task.${task}`)).join(", ");
    fill(this.#root,
      h("div", { class: "panel-head" }, h("h2", {}, t("status_title"))),
      h("dl", { class: "kvs", testid: "status" },
        item("st_signed_on", s.sign_on_required ? t("status_sign_on_required") : yesNo(s.signed_on), "status-signed-on", !s.signed_on || s.sign_on_required),
        item("st_batch", stan6(s.batch), "status-batch"),
        item("st_stan", stan6(s.last_stan), "status-stan"),
        item("st_busy", yesNo(s.busy), "status-busy"),
        item("st_in_flight", s.in_flight ? `${txnName(s.in_flight.transaction)} ${s.in_flight.stan == null ? "" : stan6(s.in_flight.stan)} · ${t(`waiting.${s.in_flight.waiting_for}`)}` : t("none"), "status-in-flight"),
        item("st_pending_reversal", reversal, "status-pending-reversal", !!s.pending_reversal),
        item("st_pending_refunds", (s.pending_refunds ?? []).length ? s.pending_refunds.map((r) => stan6(r.stan ?? r)).join(", ") : t("none"), "status-pending-refunds", (s.pending_refunds ?? []).length > 0),
        item("st_settlement", yesNo(s.settlement_in_progress), "status-settlement", s.settlement_in_progress),
        item("st_approved", t("st_count_amount", { n: s.approved_count, amount: yuan(s.net_total) }), "status-approved"),
        item("st_debit", yuan(s.debit_total), "status-debit"),
        item("st_credit", yuan(s.credit_total), "status-credit"),
        item("st_preauths", s.open_preauths, "status-preauths"),
        item("st_pending_advices", advices.length ? advices.map((a) => `${txnName(a.transaction)} ${stan6(a.stan)}`).join(", ") : t("none"), "status-pending-advices", advices.length > 0),
        item("st_exceptions", open.length ? "" : t("none"), "status-exceptions", open.length > 0)),
      h("h3", {}, t("st_downloads")),
      h("dl", { class: "kvs", testid: "status-downloads" },
        item("st_dl_parameters", params, "status-dl-parameters"),
        item("st_dl_ca_keys", keys, "status-dl-ca-keys"),
        item("st_dl_ic", aids, "status-dl-ic"),
        due ? item("st_downloads", t("st_dl_due", { tasks: due }), "status-dl-due", true) : null),
      open.length
        ? h("ul", { class: "exceptions" }, open.map((e) =>
          h("li", {}, `${txnName(e.transaction)} ${t("stan")} ${stan6(e.stan)} ${yuan(e.amount)} ${e.card ?? ""} (${e.reason}) `,
            h("button", { class: "small", testid: `ack-${e.stan}`, onclick: () => this.#onAcknowledge(e.stan) }, t("st_ack")))))
        : null);
  }
}

export class JournalPanel {
  #root;
  #store;
  #records = [];

  constructor(root, store) {
    this.#root = root;
    this.#store = store;
    onLang(() => this.#render());
  }

  async refresh() {
    this.#records = await this.#store.journal();
    this.#render();
  }

  #render() {
    const bytes = this.#records.reduce((n, r) => n + bytesOfHex(r), 0);
    fill(this.#root,
      h("div", { class: "panel-head" }, h("h2", {}, t("journal_title"))),
      h("p", { class: "journal-summary" },
        h("span", { testid: "journal-count" }, String(this.#records.length)), " / ",
        h("span", { testid: "journal-bytes" }, String(bytes)), " — ",
        t("journal_summary", { n: this.#records.length, bytes })),
      h("p", { class: "help" }, t("journal_help")),
      h("ol", { class: "records", testid: "journal" },
        this.#records.map((hex, i) => {
          const { kind, text } = summarizeRecord(hex);
          return h("li", {}, h("span", { class: "rec-no" }, i + 1), h("span", { class: "rec-kind" }, kind), h("span", { class: "rec-text" }, text), h("span", { class: "rec-size" }, bytesOfHex(hex)));
        })));
    const list = this.#root.querySelector(".records");
    list.scrollTop = list.scrollHeight;
  }
}

/** The bank's ledger kind ("PreAuthCancel") as the transaction name's key ("pre_auth_cancel"). */
function ledgerKind(kind) {
  return String(kind).replace(/[A-Z]/g, (c, i) => `${i ? "_" : ""}${c.toLowerCase()}`);
}

const MAIN_FAULTS = [
  ["drop-reply", "fault_drop"],
  ["delay-reply", "fault_delay"],
  ["bad-mac", "fault_bad_mac"],
];

export class BankPanel {
  #root;
  #bank;
  #network;
  #terminalId;
  #actions;

  /** actions: inject(name), clear(), ask(task), script(), setNetworkDown(bool) */
  constructor(root, { bank, network, terminalId, actions, faultNames }) {
    this.#root = root;
    this.#bank = bank;
    this.#network = network;
    this.#terminalId = terminalId;
    this.#actions = actions;
    this.faultNames = faultNames;
    onLang(() => this.render());
  }

  render() {
    const pending = this.#bank.pendingFaults();
    const others = this.faultNames.filter((n) => !MAIN_FAULTS.some(([f]) => f === n));
    const select = h("select", { testid: "fault-other", onchange: (e) => { if (e.target.value) this.#actions.inject(e.target.value); } },
      h("option", { value: "" }, t("fault_other")), others.map((n) => h("option", { value: n }, t(`fault.${n}`))));
    const ledger = this.#bank.ledger();
    const entries = (ledger.entries ?? []).filter((e) => e.terminal_id === this.#terminalId).slice(-8).reverse();
    const down = this.#network.down;
    fill(this.#root,
      h("div", { class: "panel-head" }, h("h2", {}, t("bank_title"))),
      h("div", { class: "faults" },
        h("span", { class: "label" }, t("faults_next")),
        MAIN_FAULTS.map(([name, key]) =>
          h("button", { class: `fault${pending.includes(name) ? " armed" : ""}`, testid: `fault-${name}`, onclick: () => this.#actions.inject(name) }, t(key))),
        select,
        h("button", { class: "small ghost", testid: "faults-clear", onclick: () => this.#actions.clear() }, t("faults_clear"))),
      h("div", { class: "faults" },
        h("span", { class: "label" }, t("bank_asks")),
        ["parameters", "status_upload", "ca_keys", "ic_parameters"].map((task) =>
          h("button", { class: "fault", testid: `ask-${task}`, onclick: () => this.#actions.ask(task) }, t(`task.${task}`))),
        h("button", { class: "fault", testid: "issuer-script", onclick: () => this.#actions.script() }, t("bank_script"))),
      h("div", { class: "kv" }, h("dt", {}, t("faults_pending")), h("dd", { testid: "pending-faults", title: pending.join(", ") }, pending.length ? pending.map((n) => t(`fault.${n}`)).join(", ") : t("none"))),
      h("label", { class: `switch net${down ? " down" : ""}` },
        h("input", { type: "checkbox", testid: "network-down", checked: down, onchange: (e) => this.#actions.setNetworkDown(e.target.checked) }),
        h("span", { class: "slider" }),
        h("span", {}, t("network_down"))),
      h("p", { class: "help" }, t("network_help")),
      h("div", { class: "kv big" }, h("dt", {}, t("net_charged")), h("dd", { testid: "bank-net-charged" }, yuan(this.#bank.netCharged(this.#terminalId)))),
      h("div", { class: "ledger-title" }, t("ledger")),
      entries.length
        ? h("table", { class: "ledger", testid: "ledger" },
          h("tbody", {}, entries.map((e) =>
            h("tr", { class: e.reversed || e.voided ? "struck" : "" },
              h("td", { class: "mono" }, stan6(e.stan)),
              h("td", {}, txnName(ledgerKind(e.kind))),
              h("td", { class: "mono" }, maskPan(e.pan)),
              h("td", { class: "num" }, yuan(e.amount)),
              h("td", {}, [e.reversed ? t("ledger_reversed") : "", e.voided ? t("ledger_voided") : ""].filter(Boolean).join(" "))))))
        : h("p", { class: "help" }, t("ledger_empty")));
  }
}
