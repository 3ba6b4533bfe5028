// Journal records for display. The binding decodes a record (`decodeRecord`: the kernel's `Record`
// enum in its serde shape, a one-key object {kind: fields} or a bare string for a kind without
// fields, PANs already masked); this turns it into a one-line summary, masking again in case.
import { decodeRecord } from "../pkg/pos_kernel_web.js";
import { maskPan, maskPans, money, stan6 } from "./format.mjs";

/** { kind, text } for one journal record (hex); never shows a full PAN. */
export function summarizeRecord(hex) {
  let value;
  try {
    value = decodeRecord(hex);
  } catch (error) {
    return { kind: "?", text: `undecodable (${error.message})` };
  }
  if (typeof value === "string") return { kind: value, text: "" };
  const [kind] = Object.keys(value ?? {});
  const body = value[kind];
  if (kind === undefined) return { kind: "?", text: "" };
  return { kind, text: describe(kind, body) };
}

function describe(kind, body) {
  if (body == null || typeof body !== "object") return body == null ? "" : maskPans(String(body));
  const parts = [];
  const add = (label, v) => {
    if (v !== undefined && v !== null && v !== "") parts.push(`${label} ${v}`);
  };
  switch (kind) {
    case "signed_on":
      add("batch", stan6(body.batch));
      add("keys", `${body.keys?.length ?? 0} bytes (encrypted)`);
      break;
    case "about_to_send":
      add("STAN", stan6(body.stan));
      parts.push(body.transaction);
      if (body.reversal) add("reversal", `${body.reversal.reason} ¥${money(body.reversal.amount)}`);
      if (body.resend) parts.push("resend until answered");
      break;
    case "approved":
      add("STAN", stan6(body.stan));
      parts.push(body.transaction);
      parts.push(`¥${money(body.amount)}`);
      add("card", maskPan(body.pan));
      add("RRN", body.rrn);
      break;
    case "settlement":
      add("batch", stan6(body.batch));
      add("phase", typeof body.phase === "string" ? body.phase : Object.keys(body.phase ?? {})[0]);
      add("STAN", body.in_flight_stan == null ? null : stan6(body.in_flight_stan));
      break;
    case "settled":
      add("batch", stan6(body.batch));
      break;
    case "snapshot":
      add("batch", stan6(body.batch));
      add("last STAN", body.stan == null ? null : stan6(body.stan));
      break;
    default:
      for (const [k, v] of Object.entries(body)) {
        if (v === null || typeof v === "object") continue;
        add(k === "stan" ? "STAN" : k, k === "stan" ? stan6(v) : v);
      }
  }
  return maskPans(parts.join(" · "));
}
