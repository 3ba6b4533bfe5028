// Was I paid? (docs/architecture.md, rule 17) The acquirer's statements against the terminal's
// journal and its archive of settled batches, matched by the kernel (terminal.reconcile): a
// summary at a glance, each statement day's net against what the journal expects, and every
// line to look at, expandable to its guidance, the fields the acquirer asks for, and the
// transaction's life. Also reprint (rule 18): the last receipt, a receipt by STAN, the last
// settlement report, marked 重打印 / REPRINT.
import { h, fill } from "./dom.mjs";
import { t, txnName, pick, onLang } from "../i18n.mjs";
import { yuan, stan6 } from "../format.mjs";

const signed = (minor) => (minor < 0 ? `-${yuan(-minor)}` : yuan(minor));

/** `20261122` from the kernel's civil date (days since 1970-01-01). */
function dateText(days) {
  return new Date(days * 86_400_000).toISOString().slice(0, 10);
}

function lifeText(step) {
  if (typeof step === "string") return t(`life.${step}`);
  const [kind, value] = Object.entries(step)[0];
  const detail = value && typeof value === "object" ? Object.values(value).join(" ") : "";
  return `${t(`life.${kind}`)} ${detail}`.trim();
}

export class ReconcilePanel {
  #root;
  #actions;
  #report = null;
  #error = null;
  #dates = [];

  /** actions: bankDates(), bankStatement(date), reconcile(texts), reprint(request), download(date) */
  constructor(root, actions) {
    this.#root = root;
    this.#actions = actions;
    onLang(() => this.render());
  }

  /** Runs the kernel's matcher over statement texts and shows the result (or why it refused). */
  async show(texts) {
    try {
      this.#report = await this.#actions.reconcile(texts);
      this.#error = null;
    } catch (error) {
      this.#report = null;
      this.#error = String(error?.message ?? error);
    }
    this.render();
  }

  async #loadFiles(files) {
    const texts = await Promise.all([...files].map((f) => f.text()));
    if (texts.length) await this.show(texts);
  }

  async #reprint(request) {
    try {
      await this.#actions.reprint(request);
      this.#error = null;
    } catch (error) {
      this.#error = String(error?.message ?? error);
    }
    this.render();
  }

  render() {
    this.#dates = this.#actions.bankDates();
    const stanInput = h("input", { type: "number", min: "1", max: "999999", placeholder: t("stan"), testid: "reprint-stan", class: "stan-input" });
    fill(this.#root,
      h("div", { class: "panel-head" }, h("h2", {}, t("recon_title"))),
      h("p", { class: "help" }, t("recon_help")),
      h("div", { class: "recon-actions" },
        h("button", { testid: "recon-bank", disabled: this.#dates.length === 0, onclick: () => this.show(this.#dates.map((d) => this.#actions.bankStatement(d))) }, t("recon_bank")),
        h("label", { class: "file ghost" }, t("recon_file"),
          h("input", { type: "file", multiple: true, accept: ".txt,text/plain", testid: "recon-file", onchange: (e) => this.#loadFiles(e.target.files) }))),
      this.#dates.length
        ? h("div", { class: "recon-downloads" }, h("span", { class: "label" }, t("recon_download")),
          this.#dates.map((d) => h("button", { class: "small ghost", testid: `statement-${d}`, onclick: () => this.#actions.download(d) }, d)))
        : h("p", { class: "help" }, t("recon_no_statement")),
      h("div", { class: "recon-actions reprint" },
        h("span", { class: "label" }, t("reprint_title")),
        h("button", { class: "small", testid: "reprint-last", onclick: () => this.#reprint("last") }, t("reprint_last")),
        stanInput,
        h("button", { class: "small", testid: "reprint-stan-go", onclick: () => this.#reprint({ stan: Number(stanInput.value) }) }, t("reprint_by_stan")),
        h("button", { class: "small", testid: "reprint-settlement", onclick: () => this.#reprint("settlement") }, t("reprint_settlement"))),
      this.#error ? h("p", { class: "recon-error", testid: "recon-error" }, this.#error) : null,
      this.#report ? this.#result(this.#report) : null);
  }

  #result(report) {
    const s = report.summary;
    const tally = (key, x, cls) =>
      h("div", { class: `recon-tally ${cls}`, testid: `recon-${cls}` }, h("span", { class: "n" }, x.count), h("span", {}, t(key)), h("span", { class: "amt" }, yuan(x.amount)));
    return h("div", { class: "recon-result", testid: "recon-result", dataset: { action: report.action } },
      h("p", { class: "recon-dates" }, t("recon_statements", { dates: report.statements.map(dateText).join(", ") })),
      h("div", { class: "recon-glance" },
        tally("recon_credited", s.credited, "credited"),
        tally("recon_pending", s.pending, "pending"),
        tally("recon_chase", s.to_chase, "chase")),
      h("table", { class: "recon-buckets" }, h("tbody", {}, s.buckets
        .filter(([, x]) => x.count > 0)
        .map(([bucket, x]) => h("tr", { testid: `bucket-${bucket}` }, h("td", {}, t(`bucket.${bucket}`)), h("td", { class: "num" }, x.count), h("td", { class: "num" }, yuan(x.amount)))))),
      report.days.map((day) =>
        h("div", { class: "recon-day", testid: "recon-day" },
          h("div", { class: "recon-day-head" }, t("recon_day", { date: dateText(day.date), net: signed(day.net), expected: signed(day.expected) })),
          h("table", {}, h("tbody", {}, day.by_type.map((l) =>
            h("tr", {}, h("td", {}, txnName(l.transaction)), h("td", { class: "num" }, l.count), h("td", { class: "num" }, yuan(l.amount)), h("td", { class: "num" }, yuan(l.fee)), h("td", { class: "num" }, signed(l.net)), h("td", { class: "num" }, signed(l.expected)))))))),
      report.lines.length
        ? h("div", { class: "recon-lines" }, report.lines.map((line) => this.#line(line)))
        : h("p", { class: "recon-ok", testid: "recon-all-credited" }, t("recon_all_credited")));
  }

  #line(line) {
    const f = line.facts;
    const life = line.transaction?.steps ?? [];
    return h("details", { class: `recon-line ${line.action}`, testid: "recon-line", dataset: { finding: line.finding.finding, stan: f.stan } },
      h("summary", {},
        h("span", { class: `tag ${line.action}` }, t(`action.${line.action}`)),
        ` ${pick(line.headline)} · ${t("stan")} ${stan6(f.stan)} · ${f.amount == null ? "" : yuan(f.amount)}`),
      h("p", { class: "recon-guidance", testid: "recon-guidance" }, pick(line.guidance)),
      h("dl", { class: "kvs" },
        h("div", { class: "kv" }, h("dt", {}, t("recon_date")), h("dd", {}, `${f.date} ${f.time}`)),
        h("div", { class: "kv" }, h("dt", {}, t("recon_terminal")), h("dd", {}, `${f.terminal_id} · ${t("st_batch")} ${stan6(f.batch)}`)),
        h("div", { class: "kv" }, h("dt", {}, t("recon_rrn")), h("dd", {}, `${f.rrn ?? "-"} · ${f.auth_code ?? "-"}`)),
        h("div", { class: "kv" }, h("dt", {}, t("recon_card")), h("dd", {}, f.card ?? "-"))),
      life.length
        ? h("div", { class: "recon-life" }, h("span", { class: "label" }, t("recon_life")), h("ol", {}, life.map((step) => h("li", {}, lifeText(step)))))
        : h("p", { class: "help" }, t("recon_no_life")));
  }
}

