// The receipt printer: a sales slip for every outcome with a receipt (the kernel masks the PAN),
// a settlement report for a settlement. Slips are bilingual, like real Chinese POS slips; the
// newest one comes out of the printer slot, earlier ones pile up underneath.
import { h, fill } from "./dom.mjs";
import { t, txnName, kindInfo, onLang } from "../i18n.mjs";
import { money, stan6 } from "../format.mjs";

const ENTRY = { chip: "C", contactless: "Q", magstripe: "S", manual: "M" };
const both = (key) => `${t(key, {}, "zh")} ${t(key, {}, "en")}`;
const row = (key, value, cls = "") => h("div", { class: `slip-row ${cls}` }, h("span", {}, both(key)), h("span", { class: "v" }, value));

function salesSlip(receipt) {
  return h("article", { class: "slip", testid: "receipt", dataset: { stan: receipt.stan } },
    h("div", { class: "slip-title" }, both("slip_title")),
    h("div", { class: "slip-sub" }, both("slip_copy")),
    h("hr"),
    row("slip_merchant_name", receipt.merchant_name),
    row("slip_merchant_id", receipt.merchant_id),
    row("slip_terminal_id", receipt.terminal_id),
    row("slip_card", h("span", { testid: "receipt-card" }, `${receipt.card} ${ENTRY[receipt.entry] ?? ""}`), "big"),
    row("slip_type", `${txnName(receipt.transaction, "zh")} ${txnName(receipt.transaction, "en").toUpperCase()}`, "big"),
    row("slip_batch", stan6(receipt.batch)),
    row("slip_stan", stan6(receipt.stan)),
    row("slip_rrn", receipt.rrn ?? ""),
    row("slip_auth", receipt.auth_code ?? ""),
    row("slip_datetime", receipt.date_time ?? ""),
    h("hr"),
    row("slip_amount", h("span", { testid: "receipt-amount" }, `RMB ${kindInfo(receipt.transaction)?.gives_back ? "-" : ""}${money(receipt.amount)}`), "amount"),
    h("hr"),
    h("div", { class: "slip-sign" }, both("slip_sign")),
    h("div", { class: "slip-line" }),
    h("div", { class: "slip-small" }, t("slip_confirm", {}, "zh")),
    h("div", { class: "slip-small" }, t("slip_confirm", {}, "en").toUpperCase()));
}

function totalsBlock(titleKey, totals, verdict) {
  return [
    h("div", { class: "slip-section" }, both(titleKey)),
    h("div", { class: "slip-grid head" }, h("span"), h("span", {}, both("settle_count")), h("span", {}, both("slip_amount"))),
    h("div", { class: "slip-grid" }, h("span", {}, both("settle_debit")), h("span", {}, totals.debit_count), h("span", {}, money(totals.debit_amount))),
    h("div", { class: "slip-grid" }, h("span", {}, both("settle_credit")), h("span", {}, totals.credit_count), h("span", {}, money(totals.credit_amount))),
    row("settle_result", h("b", { testid: `settlement-${titleKey === "settle_domestic" ? "domestic" : "foreign"}-result` },
      `${t(`verdict.${verdict}`, {}, "zh")} ${t(`verdict.${verdict}`, {}, "en").toUpperCase()}`)),
  ];
}

function settlementSlip(report, outcome) {
  return h("article", { class: "slip settlement", testid: "settlement-report", dataset: { batch: report.batch } },
    h("div", { class: "slip-title" }, both("settle_title")),
    h("hr"),
    row("slip_batch", stan6(report.batch)),
    row("stan", stan6(outcome.stan)),
    h("hr"),
    totalsBlock("settle_domestic", report.domestic, report.domestic_result),
    h("hr"),
    totalsBlock("settle_foreign", report.foreign, report.foreign_result),
    h("hr"),
    h("div", { class: "slip-section" }, both("settle_by_type")),
    (report.by_type ?? []).map((x) =>
      h("div", { class: "slip-grid", testid: "settlement-type" }, h("span", {}, `${txnName(x.transaction, "zh")} ${txnName(x.transaction, "en").toUpperCase()}`), h("span", {}, x.count), h("span", {}, money(x.amount)))),
    h("hr"),
    row("settle_uploaded", report.uploaded),
    (report.tc_uploaded ?? []).length ? row("settle_tc", report.tc_uploaded.map(stan6).join(" ")) : null,
    (report.ic_failures_uploaded ?? []).length ? row("settle_ic_failures", report.ic_failures_uploaded.map(stan6).join(" ")) : null,
    row("settle_exceptions", (report.open_exceptions ?? []).length ? report.open_exceptions.map((e) => stan6(e.stan ?? e)).join(", ") : "0"));
}

export class Printer {
  #paper;
  #pile;
  #count;
  #printed = [];

  constructor(paperRoot, pileRoot) {
    this.#paper = paperRoot;
    this.#count = h("span", { class: "count" });
    this.#pile = h("div", { class: "pile" });
    fill(pileRoot, h("details", { class: "slips" }, h("summary", {}, h("span", { "data-i18n": "slips_older" }, t("slips_older")), " ", this.#count), this.#pile));
    onLang(() => this.#render());
    this.#render();
  }

  /** Prints what an outcome carries (nothing for most declines); `animate` for a live print. */
  print(outcome, animate = true) {
    if (outcome.settlement) this.#printed.push({ outcome, settlement: outcome.settlement });
    else if (outcome.receipt) this.#printed.push({ outcome, receipt: outcome.receipt });
    else return;
    this.#render(animate);
  }

  /** Prints a reprint (rule 18): the same slip, marked 重打印 / REPRINT. */
  reprint(reprint) {
    const outcome = { stan: null };
    if (reprint.settlement) this.#printed.push({ outcome, settlement: reprint.settlement, reprint: true });
    else if (reprint.receipt) this.#printed.push({ outcome, receipt: reprint.receipt, reprint: true });
    else return;
    this.#render(true);
  }

  #slip(item) {
    const slip = item.settlement ? settlementSlip(item.settlement, item.outcome) : salesSlip(item.receipt);
    if (item.reprint) {
      slip.prepend(h("div", { class: "slip-reprint", testid: "reprint-mark" }, both("reprint_mark")));
      slip.dataset.reprint = "true";
    }
    return slip;
  }

  #render(animate = false) {
    const [latest, ...older] = [...this.#printed].reverse();
    if (!latest) {
      fill(this.#paper, h("div", { class: "paper-empty", "data-i18n": "paper_empty" }, t("paper_empty")));
    } else {
      const slip = this.#slip(latest);
      if (animate) slip.classList.add("printing");
      fill(this.#paper, slip);
      this.#paper.scrollTop = 0;
    }
    fill(this.#pile, older.slice(0, 20).map((item) => {
      const slip = this.#slip(item);
      slip.dataset.testid = "slip-earlier";
      return slip;
    }));
    this.#count.textContent = `(${older.length})`;
  }
}
