// The line between the terminal and the bank: a little latency each way, the "network down"
// switch, and the bank's held-back replies (delay-reply), released after the terminal's timeout.
// Whatever comes back reaches the kernel through `deliver` (the host's input queue). With the
// network down a frame cannot leave at all: `send` says so at once, and the host tells the
// kernel "not sent" (nothing reached the bank, nothing was charged).
const LATENCY_MS = 120;
const DOWN_KEY = "pos.networkDown";

export class Network {
  #bank;
  #trace;
  #deliver;
  #lateAfterMs;
  #changed;
  #atBank = Promise.resolve();
  #pending = new Set();
  #stopped = false;

  /**
   * lateAfterMs: when a held-back reply is released, after it was sent (past the timeout);
   * changed(): the bank's state changed (its ledger, its queued faults).
   */
  constructor({ bank, trace, deliver, lateAfterMs, changed }) {
    this.#bank = bank;
    this.#changed = changed;
    this.#trace = trace;
    this.#deliver = deliver;
    this.#lateAfterMs = lateAfterMs;
  }

  // The switch is the network's, not the terminal's: it stays as it was across a reload.
  get down() {
    return localStorage.getItem(DOWN_KEY) === "1";
  }

  set down(value) {
    localStorage.setItem(DOWN_KEY, value ? "1" : "0");
    this.#trace.add({ kind: "net", what: value ? "down" : "up" });
  }

  static forget() {
    localStorage.removeItem(DOWN_KEY);
  }

  stop() {
    this.#stopped = true;
    for (const handle of this.#pending) clearTimeout(handle);
  }

  #later(ms, fn) {
    const handle = setTimeout(() => {
      this.#pending.delete(handle);
      if (!this.#stopped) fn();
    }, ms);
    this.#pending.add(handle);
  }

  /**
   * Sends one frame (hex); `frame` is its decoded summary for the trace. Returns `null` when the
   * frame left, or why it could not leave.
   */
  send(hex, frame) {
    if (this.down) {
      this.#trace.add({ kind: "net", what: "refused", mti: frame.mti });
      return "cannot reach the acquirer: the network is down (simulated)";
    }
    // The bank takes frames one at a time, in the order they arrive.
    this.#later(LATENCY_MS, () => {
      this.#atBank = this.#atBank.then(() => this.#bankReceives(hex)).catch((error) => console.error("bank failed", error));
    });
    return null;
  }

  async #bankReceives(hex) {
    if (this.#stopped) return;
    const { outputs, fault } = await this.#bank.handleFrame(Date.now(), hex);
    this.#changed();
    if (outputs.length === 0) {
      this.#trace.add({ kind: "bank", what: fault === "drop-reply" ? "dropped" : fault ? "fault" : "no_answer", fault });
    } else if (fault && fault !== "delay-reply" && fault !== "close") {
      this.#trace.add({ kind: "bank", what: "fault", fault });
    }
    for (const output of outputs) {
      if (output === "close") {
        this.#trace.add({ kind: "bank", what: "closed" });
        this.#later(LATENCY_MS, () => this.#deliver("connection_closed"));
      } else if (output.late_reply) {
        this.#trace.add({ kind: "bank", what: "delayed" });
        this.#later(this.#lateAfterMs, () => {
          this.#trace.add({ kind: "bank", what: "late" });
          this.#deliver({ receive: output.late_reply });
        });
      } else if (output.reply) {
        this.#later(LATENCY_MS, () => this.#deliver({ receive: output.reply }));
      }
    }
  }
}
