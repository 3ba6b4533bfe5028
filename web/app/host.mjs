// The host: carries out the kernel's outputs, in order, one input at a time.
//
// Every kernel call goes through one promise chain (`#chain`), so a timer that fires while a
// journal write is in flight waits its turn instead of interleaving with it. Within a job the
// outputs are polled one by one; a persist is awaited until IndexedDB has committed it, and
// only then is the kernel told "persisted" — nothing after a persist is carried out before.
import { cardVerdictData, archivedBatchInfo } from "../pkg/pos_kernel_web.js";
import { frameInfo } from "./trace.mjs";
import { summarizeRecord } from "./records.mjs";

/** Days a settled batch stays in the archive (rule 17: at least 7). */
const ARCHIVE_DAYS = 7;

/** A chip card takes a moment to answer the second GENERATE AC. */
const CARD_THINKS_MS = 250;

export class Host {
  #terminal;
  #store;
  #network;
  #trace;
  #hooks;
  #chain = Promise.resolve();
  #timers = { response: null, retry: null };
  #timerGeneration = 0;
  /** What the next transmit is (from the event just before it), for the trace label. */
  #nextFrame = null;
  #stopped = false;
  /** Why the last archive output could not be stored (the compaction after it is refused). */
  #archiveFailed = null;
  /** The next chip card is pulled out before its verdict (the "pull the card early" control). */
  pullNextCard = false;

  /**
   * hooks: outcome(outcome), event(event), transmitted(frame), timer(name, at | null),
   * cardRequired(request), pinRequired(request), changed(), failed(error)
   */
  constructor({ terminal, store, network, trace, hooks }) {
    this.#terminal = terminal;
    this.#store = store;
    this.#network = network;
    this.#trace = trace;
    this.#hooks = hooks;
  }

  /** For read-only calls (status, query): synchronous, so they never split a kernel call. */
  get terminal() {
    return this.#terminal;
  }

  /** Feeds one kernel input (after every job queued before it), then carries out its outputs. */
  input(input) {
    return this.#job(() => {
      this.#traceInput(input);
      this.#terminal.handle(Date.now(), input);
    });
  }

  /** Carries out outputs the kernel already has (a restored terminal's resumed work). */
  resume() {
    return this.#job(() => {});
  }

  /** Stops everything (before a reset): no more kernel calls, timers or writes. */
  stop() {
    this.#stopped = true;
    for (const name of Object.keys(this.#timers)) this.#cancelTimer(name);
  }

  #job(fn) {
    const job = this.#chain.then(async () => {
      if (this.#stopped) return;
      fn();
      await this.#carryOut();
      this.#hooks.changed();
    });
    this.#chain = job.catch((error) => this.#hooks.failed(error));
    return job;
  }

  async #carryOut() {
    for (let output = this.#terminal.pollOutput(); output !== null; output = this.#terminal.pollOutput()) {
      if (this.#stopped) return;
      await this.#do(output);
    }
  }

  async #do(output) {
    if (typeof output !== "object") return;
    if ("persist" in output) {
      await this.#durably(() => this.#store.appendRecord(output.persist), () =>
        this.#trace.add({ kind: "persist", record: summarizeRecord(output.persist), bytes: output.persist.length / 2 }));
    } else if ("archive" in output) {
      // The settled batch goes to the archive before the compaction removes it from the journal
      // (rule 17); if it cannot be stored, the compaction is refused and the batch stays.
      try {
        await this.#store.archiveBatch(output.archive);
        await this.#store.pruneArchive(archivedBatchInfo, ARCHIVE_DAYS);
        this.#archiveFailed = null;
        this.#trace.add({ kind: "archive", bytes: output.archive.length / 2 });
      } catch (error) {
        this.#archiveFailed = String(error?.message ?? error);
      }
    } else if ("compact" in output && this.#archiveFailed !== null) {
      const reason = `archive: ${this.#archiveFailed}`;
      this.#archiveFailed = null;
      this.#trace.add({ kind: "persist_failed", reason });
      this.#terminal.handle(Date.now(), { persist_failed: reason });
    } else if ("compact" in output) {
      await this.#durably(() => this.#store.compactTo(output.compact), () =>
        this.#trace.add({ kind: "compact", bytes: output.compact.length / 2 }));
    } else if ("transmit" in output) {
      const frame = { ...frameInfo(output.transmit), ...(this.#nextFrame ?? {}) };
      this.#nextFrame = null;
      this.#trace.add({ kind: "tx", ...frame });
      this.#hooks.transmitted(frame);
      const notSent = this.#network.send(output.transmit, frame);
      // Nothing left: the kernel hears it at once, before the outputs that follow.
      if (notSent) this.#terminal.handle(Date.now(), { not_sent: notSent });
    } else if ("arm_timer" in output) {
      this.#armTimer(output.arm_timer.timer, output.arm_timer.at);
    } else if ("cancel_timer" in output) {
      if (this.#timers[output.cancel_timer]) this.#trace.add({ kind: "timer", action: "cancelled", timer: output.cancel_timer });
      this.#cancelTimer(output.cancel_timer);
    } else if ("event" in output) {
      this.#event(output.event);
    } else if ("outcome" in output) {
      this.#trace.add({ kind: "outcome", outcome: output.outcome });
      this.#hooks.outcome(output.outcome);
    } else if ("card_required" in output) {
      // The kernel asks for the card (or another interface); the card tray answers with
      // card_presented or card_reader. Until the page drives it, the card_entry timer ends it.
      this.#trace.add({ kind: "card_required", request: output.card_required });
      this.#hooks.cardRequired?.(output.card_required);
    } else if ("pin_required" in output) {
      this.#trace.add({ kind: "pin_required", request: output.pin_required });
      this.#hooks.pinRequired?.(output.pin_required);
    } else if ("card_reader_data" in output) {
      // The acquirer's CA keys and AIDs for the card reader (the simulated cards need none): the
      // trace shows what the reader was given; the status panel shows the sets in force.
      const data = output.card_reader_data;
      this.#trace.add({ kind: "card_reader_data", keys: data.ca_keys.length, aids: data.aids.length });
    }
  }

  /** Writes, waits for the commit, then answers the kernel; a failed write is reported instead. */
  async #durably(write, traced) {
    try {
      await write();
    } catch (error) {
      const reason = String(error?.message ?? error);
      this.#trace.add({ kind: "persist_failed", reason });
      this.#terminal.handle(Date.now(), { persist_failed: reason });
      return;
    }
    traced();
    this.#terminal.handle(Date.now(), "persisted");
  }

  #event(event) {
    const name = typeof event === "string" ? event : Object.keys(event)[0];
    const body = typeof event === "string" ? null : event[name];
    // Label the frame that follows these events.
    if (name === "sending") this.#nextFrame = { what: body.transaction, stan: body.stan };
    else if (name === "reversal_sent") this.#nextFrame = { what: "reversal", stan: body.stan, attempt: body.attempt };
    else if (name === "settlement_step") this.#nextFrame = { what: "settlement", phase: body.phase };
    else if (name === "management") this.#nextFrame = { what: "management", task: body.task, phase: body.step };
    this.#trace.add({ kind: "event", name, body });
    this.#hooks.event(event);
    if (name === "card_verdict_required") {
      // The inserted chip card accepts the issuer's approval (TC), unless the cashier's
      // "pull the card early" control takes it out first: then the kernel reverses (06).
      const pulled = this.pullNextCard;
      this.pullNextCard = false;
      const icc = cardVerdictData(true, body.issuer_data);
      const answer = pulled ? { card_reader: "card_removed" } : { card_verdict: { approved: true, icc_data: icc } };
      setTimeout(() => this.input(answer), CARD_THINKS_MS);
    }
  }

  #armTimer(name, at) {
    this.#cancelTimer(name);
    const generation = ++this.#timerGeneration;
    const armedAt = Date.now();
    const handle = setTimeout(() => {
      // A timer cancelled or re-armed after it fired, but before its turn came, is stale.
      this.#job(() => {
        if (this.#timers[name]?.generation !== generation) return;
        this.#timers[name] = null;
        this.#hooks.timer(name, null);
        this.#trace.add({ kind: "timer", action: "fired", timer: name, ms: at - armedAt });
        this.#terminal.handle(Date.now(), { timer: name });
      });
    }, Math.max(0, at - armedAt));
    this.#timers[name] = { handle, generation, at };
    this.#trace.add({ kind: "timer", action: "armed", timer: name, ms: at - armedAt });
    this.#hooks.timer(name, at);
  }

  #cancelTimer(name) {
    if (!this.#timers[name]) return;
    clearTimeout(this.#timers[name].handle);
    this.#timers[name] = null;
    this.#hooks.timer(name, null);
  }

  #traceInput(input) {
    if (input === "connection_closed") this.#trace.add({ kind: "closed" });
    else if (input.receive !== undefined) this.#trace.add({ kind: "rx", ...frameInfo(input.receive) });
    else if (input.card_verdict) this.#trace.add({ kind: "card_verdict", approved: input.card_verdict.approved });
    else if (input.card_presented) this.#trace.add({ kind: "card_presented", card: maskedCard(input.card_presented) });
    else if (input.card_reader) this.#trace.add({ kind: "card_reader", outcome: input.card_reader });
    else if (input === "pin_entered") this.#trace.add({ kind: "pin_entered" });
    else if (input.command) this.#trace.add({ kind: "operator", command: describeCommand(input.command) });
  }
}

/** A command as the trace shows it: never the card data, only the masked PAN and amounts. */
function describeCommand(command) {
  if (typeof command === "string") return { kind: command };
  const [kind] = Object.keys(command);
  const body = command[kind];
  // A transaction begun before its card shows as that transaction.
  if (kind === "begin") return { ...body, kind: body.transaction };
  const { card, ...rest } = body;
  return { kind, ...rest, card: card ? maskedCard(card) : undefined };
}

function maskedCard(card) {
  const pan = String(card.pan);
  return { pan: pan.slice(0, 6) + "*".repeat(Math.max(0, pan.length - 10)) + pan.slice(-4), entry: card.entry };
}
