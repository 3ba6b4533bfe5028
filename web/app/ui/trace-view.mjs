// The message trace as a timeline: time, direction, a short label ("0200 sale", "0210 00",
// "0400 reversal", "⏱ Response timeout fired"), and on click the decoded frame or record.
import { h, fill } from "./dom.mjs";
import { t, txnName, onLang, pick, lang } from "../i18n.mjs";
import { clock, stan6, maskPans } from "../format.mjs";

const seconds = (ms) => (ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1);

/** { dir, text, tone, minor } for one trace entry, in the current language. */
export function describe(entry) {
  switch (entry.kind) {
    case "power":
      return entry.what === "restore"
        ? { dir: "⚡", tone: "power", text: t("trace.power_restore", { n: entry.records }) + (entry.afterCut ? ` · ${t("trace.power_after_cut")}` : "") }
        : { dir: "⚡", tone: "power", text: t("trace.power_new") };
    case "tx":
      return { dir: "→", tone: entry.what === "reversal" ? "tx reversal" : "tx", text: frameLabel(entry) };
    case "rx":
      return {
        dir: "←",
        tone: `rx${entry.code && entry.code !== "00" ? " bad" : ""}`,
        text: entry.mti ? `${entry.mti} ${entry.code ?? ""}`.trim() : t("trace.garbage"),
      };
    case "timer":
      if (entry.action === "fired")
        return { dir: "◷", tone: "timer", text: t(`trace.timer_fired_${entry.timer}`, { s: seconds(entry.ms) }) };
      return {
        dir: "·",
        tone: "minor",
        minor: true,
        text: t(`trace.timer_${entry.action}`, { timer: t(`timer.${entry.timer}`), s: seconds(entry.ms ?? 0) }),
      };
    case "persist":
      return { dir: "▤", tone: "persist", minor: true, text: t("trace.persist", { summary: `${entry.record.kind} ${entry.record.text}`.trim() }) };
    case "compact":
      return { dir: "▤", tone: "persist", text: t("trace.compact") };
    case "archive":
      return { dir: "▤", tone: "persist", text: t("trace.archive") };
    case "card_reader_data":
      return { dir: "▣", tone: "minor", text: t("trace.card_reader_data", { keys: entry.keys, aids: entry.aids }) };
    case "persist_failed":
      return { dir: "▤", tone: "bad", text: t("trace.persist_failed", { reason: entry.reason }) };
    case "operator":
      return { dir: "☞", tone: "operator", text: t("trace.operator", { what: commandText(entry.command) }) };
    case "card_verdict":
      return { dir: "▣", tone: "minor", minor: true, text: t("trace.card_verdict") };
    case "card_presented":
      return { dir: "▣", tone: "operator", text: t("trace.card_presented", { card: entry.card.pan, how: t(`entry.${entry.card.entry}`) }) };
    case "card_reader":
      return { dir: "▣", tone: "operator", text: t("trace.card_reader", { outcome: t(`reader.${entry.outcome}`) }) };
    case "pin_entered":
      return { dir: "▣", tone: "minor", minor: true, text: t("trace.pin_entered") };
    case "card_required":
    case "pin_required":
      // The kernel's own prompt, in the page's language.
      return { dir: "▣", tone: "operator", text: pick(entry.request.prompt) };
    case "closed":
      return { dir: "✕", tone: "bad", text: t("trace.conn_closed") };
    case "event":
      return eventLabel(entry);
    case "outcome": {
      const o = entry.outcome;
      const result = typeof o.result === "string" ? o.result : Object.keys(o.result)[0];
      const detail = typeof o.result === "string" ? "" : resultDetail(o.result[result]);
      return {
        dir: "■",
        tone: `outcome ${o.guidance?.category ?? result}`,
        text: t("trace.outcome", { txn: txnName(o.transaction), stan: o.stan == null ? "" : stan6(o.stan), result: `${t(`result.${result}`)}${detail}` }).replace(/ +/g, " "),
      };
    }
    case "bank": {
      const keys = { dropped: "bank_dropped", delayed: "bank_delayed", late: "bank_late", closed: "bank_closed", fault: "bank_fault", no_answer: "bank_no_answer", inject: "fault_armed", clear: "faults_cleared", ask: "bank_ask", script: "bank_script" };
      const operator = ["inject", "clear", "ask", "script"].includes(entry.what);
      return { dir: "¥", tone: operator ? "operator" : "bank", text: t(`trace.${keys[entry.what]}`, { fault: entry.fault, task: entry.task ? t(`task.${entry.task}`) : "" }) };
    }
    case "net":
      return { dir: "⌁", tone: entry.what === "up" ? "operator" : "bad", text: t(`trace.net_${entry.what}`, { mti: entry.mti ?? "" }) };
    default:
      return { dir: "?", tone: "minor", text: JSON.stringify(entry) };
  }
}

/** The code that goes with a result: a response code, a reversal reason (98, A0, 06). A failure's
 * reason is told by its guidance (click the row), not as a code. */
function resultDetail(value) {
  if (value?.response_code !== undefined) return ` ${value.response_code}`;
  if (typeof value?.reason === "string") return ` ${value.reason}`;
  return "";
}

function frameLabel(entry) {
  if (!entry.mti) return t("trace.garbage");
  if (entry.what === "reversal") return `${entry.mti} ${t("txn.reversal")} ${t("trace.reversal_of", { stan: stan6(entry.stan), attempt: entry.attempt })}`;
  if (entry.what === "settlement") {
    // The kernel names the phases in English ("totals", "batch upload end (207, balanced)").
    const phase = String(entry.phase ?? "");
    const upload = /upload/.test(phase);
    if (upload && lang() === "en") return `${entry.mti} ${phase}`;
    return `${entry.mti} ${upload ? t("txn.batch_upload") : txnName("settlement")}${phase ? ` (${phase})` : ""}`;
  }
  // Management steps: the kernel names them in English ("CA key download 2 of 5: A000000333/03 (370)").
  if (entry.what === "management") return `${entry.mti} ${t(`task.${entry.task}`)}${entry.phase ? ` (${entry.phase})` : ""}`;
  if (entry.what) return `${entry.mti} ${txnName(entry.what)}`;
  return entry.mti;
}

function commandText(command) {
  const parts = [txnName(command.kind)];
  if (command.amount != null) parts.push(`¥${(command.amount / 100).toFixed(2)}`);
  if (command.original_stan != null) parts.push(`${t("stan")} ${stan6(command.original_stan)}`);
  if (command.original_rrn) parts.push(`${t("rrn")} ${command.original_rrn}`);
  if (command.stan != null) parts.push(`${t("stan")} ${stan6(command.stan)}`);
  if (command.card) parts.push(`${command.card.pan} (${command.card.entry})`);
  return parts.join(" ");
}

function eventLabel(entry) {
  const b = entry.body ?? {};
  const minor = (text) => ({ dir: "·", tone: "minor", minor: true, text });
  switch (entry.name) {
    case "sending":
      return minor(t("trace.event_sending", { txn: txnName(b.transaction), stan: stan6(b.stan) }));
    case "reversal_sent":
      return minor(t("trace.event_reversal_sent", { stan: stan6(b.stan), attempt: b.attempt }));
    case "outcome_unknown":
      return { dir: "?", tone: "warn", text: t("trace.event_unknown", { txn: txnName(b.transaction), stan: stan6(b.stan), reason: b.reason }) };
    case "reply_ignored":
      return { dir: "!", tone: "warn", text: t("trace.event_ignored", { reason: b.reason }) };
    case "card_verdict_required":
      return minor(t("trace.event_verdict"));
    case "refund_pending":
      return { dir: "↻", tone: "warn", text: t("trace.event_refund_pending", { stan: stan6(b.stan) }) };
    case "advice_pending":
      return { dir: "↻", tone: "warn", text: t("trace.event_advice_pending", { txn: txnName(b.transaction), stan: stan6(b.stan) }) };
    case "advice_answered":
      return b.response_code === "00"
        ? minor(t("trace.event_advice_answered", { txn: txnName(b.transaction), stan: stan6(b.stan) }))
        : { dir: "!", tone: "bad", text: t("trace.event_advice_refused", { txn: txnName(b.transaction), stan: stan6(b.stan), code: b.response_code }) };
    case "settlement_step":
      return minor(t("trace.event_settlement", { phase: b.phase }));
    case "management":
      return { dir: "⇅", tone: "minor", text: t("trace.event_management", { task: t(`task.${b.task}`), step: b.step }) };
    case "header_request_ignored":
      return { dir: "!", tone: "warn", text: t("trace.event_header_ignored", { digit: b.digit ?? b }) };
    case "sign_on_required":
      return { dir: "!", tone: "warn", text: t("trace.event_sign_on_required") };
    case "not_sent":
      return { dir: "✕", tone: "bad", text: t("trace.event_not_sent", { stan: stan6(b.stan), cause: b.cause }) };
    case "journal_failed":
      return { dir: "▤", tone: "bad", text: t("trace.event_journal_failed", { reason: b.reason }) };
    default:
      return { dir: "·", tone: "warn", text: t("trace.event", { json: maskPans(JSON.stringify(entry.body ?? entry.name)) }) };
  }
}

/** The decoded detail of an entry, shown when its row is clicked. */
function detail(entry) {
  if ((entry.kind === "tx" || entry.kind === "rx") && entry.view) {
    const v = entry.view;
    return h("div", { class: "frame", testid: "trace-detail" },
      h("div", { class: "frame-head" },
        `${t("frame_mti")} ${v.mti} · ${t("frame_tpdu")} ${v.tpdu_destination}→${v.tpdu_source} · ${t("frame_header")} ${v.header_status}/${v.header_requirement} · ${t("frame_bytes", { n: entry.bytes })}`),
      h("table", {},
        h("thead", {}, h("tr", {}, h("th", {}, t("frame_field")), h("th", {}, t("frame_name")), h("th", {}, t("frame_value")))),
        h("tbody", {}, v.fields.map((f) => h("tr", {}, h("td", { class: "num" }, f.number), h("td", {}, f.name), h("td", { class: "mono" }, f.value))))));
  }
  if (entry.garbage) return h("div", { class: "frame", testid: "trace-detail" }, entry.garbage);
  if (entry.kind === "persist") {
    return h("div", { class: "frame", testid: "trace-detail" }, `${entry.record.kind} · ${entry.record.text} · ${t("frame_bytes", { n: entry.bytes })}`);
  }
  if (entry.kind === "outcome") {
    const g = entry.outcome.guidance;
    return h("div", { class: "frame", testid: "trace-detail" }, `${pick(g.cardholder)} — ${pick(g.merchant)}`);
  }
  return null;
}

export class TraceView {
  #list;
  #trace;
  #framesOnly = false;
  #open = new Set();

  constructor(root, trace) {
    this.#trace = trace;
    this.#list = h("ol", { class: "trace-list", testid: "trace" });
    const filter = h("label", { class: "switch small" },
      h("input", { type: "checkbox", testid: "trace-frames-only", onchange: (e) => { this.#framesOnly = e.target.checked; this.render(); } }),
      h("span", { "data-i18n": "trace_clear_view" }, t("trace_clear_view")));
    fill(root,
      h("div", { class: "panel-head" }, h("h2", { "data-i18n": "trace_title" }, t("trace_title")), filter),
      h("p", { class: "help", "data-i18n": "trace_help" }, t("trace_help")),
      this.#list);
    trace.onAdd((entry) => this.#append(entry, true));
    onLang(() => this.render());
    this.render();
  }

  render() {
    this.#list.replaceChildren();
    const shown = this.#trace.entries.slice(-400);
    if (shown.length === 0) this.#list.append(h("li", { class: "empty" }, t("trace_empty")));
    let previous = null;
    for (const entry of shown) {
      this.#append(entry, false, previous);
      previous = entry;
    }
    this.#list.scrollTop = this.#list.scrollHeight;
  }

  #append(entry, live, previous = this.#trace.entries[this.#trace.entries.length - 2]) {
    const d = describe(entry);
    if (this.#framesOnly && !["tx", "rx", "timer", "power", "outcome", "closed", "net"].includes(entry.kind)) return;
    if (this.#framesOnly && d.minor) return;
    this.#list.querySelector(".empty")?.remove();
    const stick = this.#list.scrollHeight - this.#list.scrollTop - this.#list.clientHeight < 40;
    const delta = previous ? entry.time - previous.time : 0;
    const row = h("li", {
      class: `trace-row ${d.tone}${d.minor ? " minor" : ""}${detail(entry) ? " clickable" : ""}`,
      testid: "trace-entry",
      dataset: { kind: entry.kind, seq: entry.seq },
    },
      h("span", { class: "t-time", title: new Date(entry.time).toISOString() }, clock(entry.time)),
      h("span", { class: "t-delta" }, delta >= 1 ? `+${delta >= 1000 ? (delta / 1000).toFixed(1) + "s" : delta + "ms"}` : ""),
      h("span", { class: "t-dir" }, d.dir),
      h("span", { class: "t-label", testid: "trace-label" }, d.text));
    if (row.classList.contains("clickable")) {
      row.addEventListener("click", () => {
        const open = row.nextElementSibling?.classList.contains("trace-detail-row");
        if (open) {
          row.nextElementSibling.remove();
          this.#open.delete(entry.seq);
        } else {
          row.after(h("li", { class: "trace-detail-row" }, detail(entry)));
          this.#open.add(entry.seq);
        }
      });
    }
    this.#list.append(row);
    if (this.#open.has(entry.seq)) row.after(h("li", { class: "trace-detail-row" }, detail(entry)));
    if (live && stick) this.#list.scrollTop = this.#list.scrollHeight;
  }
}
