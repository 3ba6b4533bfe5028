// Small formatting helpers shared by the views.

/** Minor units (fen) → "1,234.56". */
export function money(fen) {
  const n = Number(fen ?? 0);
  const sign = n < 0 ? "-" : "";
  const abs = Math.abs(n);
  const yuan = Math.floor(abs / 100).toLocaleString("en-US");
  return `${sign}${yuan}.${String(abs % 100).padStart(2, "0")}`;
}

/** "¥1,234.56" */
export function yuan(fen) {
  return `¥${money(fen)}`;
}

export function stan6(stan) {
  return stan == null ? "—" : String(stan).padStart(6, "0");
}

/** First 6 and last 4 digits, as the kernel masks them. */
export function maskPan(pan) {
  const s = String(pan ?? "");
  if (s.length < 11) return s;
  return s.slice(0, 6) + "*".repeat(s.length - 10) + s.slice(-4);
}

/** Masks every run of 13–19 digits in a text (a PAN that slipped through). */
export function maskPans(text) {
  return String(text).replace(/\d{13,19}/g, maskPan);
}

/** "10:00:00.123" local time. */
export function clock(ms, withMillis = true) {
  const d = new Date(ms);
  const hms = [d.getHours(), d.getMinutes(), d.getSeconds()].map((x) => String(x).padStart(2, "0")).join(":");
  return withMillis ? `${hms}.${String(d.getMilliseconds()).padStart(3, "0")}` : hms;
}

/** F54 additional amounts, e.g. "1002156C000099984000" → { currency, sign, amount } (fen). */
export function parseBalance(f54) {
  const m = /^(\d{2})(\d{2})(\d{3})([CD])(\d{12})/.exec(f54 ?? "");
  if (!m) return null;
  const amount = Number(m[5]);
  return { currency: m[3], amount: m[4] === "D" ? -amount : amount };
}

export function bytesOfHex(hex) {
  return Math.floor(String(hex).length / 2);
}

/** "2026-11-21 10:00:00" → "1121" (MMDD, the refund's original date). */
export function mmdd(dateTime) {
  const m = /^\d{4}-(\d{2})-(\d{2})/.exec(dateTime ?? "");
  return m ? m[1] + m[2] : "";
}
