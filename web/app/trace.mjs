// The message trace: an append-only list of what happened between the terminal, its journal,
// its timers and the bank, kept in IndexedDB so the timeline survives a reload (the power cut
// shows in it). Frames are stored decoded by the kernel's decodeFrame (PAN masked, track data,
// expiry and PIN block hidden), never as raw bytes.
import { decodeFrame } from "../pkg/pos_kernel_web.js";

export class Trace {
  #store;
  #listeners = new Set();
  #seq = 0;
  entries = [];

  constructor(store) {
    this.#store = store;
  }

  async load() {
    this.entries = await this.#store.all("trace");
    this.#seq = this.entries.reduce((max, e) => Math.max(max, e.seq ?? 0), 0);
  }

  /** Records one entry ({kind, ...}) stamped with the time; returns it. */
  add(entry) {
    const stamped = { seq: ++this.#seq, time: Date.now(), ...entry };
    this.entries.push(stamped);
    // The trace is for people, not for recovery: a lost write only loses a line.
    this.#store.append("trace", stamped).catch((error) => console.warn("trace not stored", error));
    for (const fn of this.#listeners) fn(stamped);
    return stamped;
  }

  onAdd(fn) {
    this.#listeners.add(fn);
  }
}

/** A frame as the trace keeps it: {mti, code (F39), view (decoded, masked), bytes} or {garbage}. */
export function frameInfo(hex) {
  const bytes = Math.floor(hex.length / 2);
  try {
    const view = decodeFrame(hex);
    const code = view.fields.find((f) => f.number === 39)?.value ?? null;
    return { mti: view.mti, code, view, bytes };
  } catch (error) {
    return { mti: null, code: null, garbage: String(error.message ?? error), bytes };
  }
}
