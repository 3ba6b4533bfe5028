// Replays tests/vectors/*.json through a kernel and compares every output exactly: the same
// rules as the Rust runner (tests/harness/src/runner.rs), for every JavaScript host. No Node or
// browser APIs here: each host passes in the vectors and a factory.
//
// Values use the kernel's serde JSON shapes, exactly as the vector files hold them:
//   factory.create(config)                  -> kernel
//   factory.restore(config, records, now)   -> kernel   (records: hex strings, oldest first)
//   kernel.enterPin(pin)                     (a step's typed_pin: the host's PIN pad, not an input)
//   kernel.handle(now, input)
//   kernel.pollOutput()                      -> output or null/undefined when there is none
//   kernel.reconcileItems(statements, archive) -> ReconciledItem[], or throws with why the
//                                            statements were refused (archive: hex strings)

/** The journal a host keeps: the records it acknowledged as durable. */
export class JournalModel {
  constructor() {
    this.records = [];
    this.unsynced = null; // { record, compact }
    this.archive = []; // every archive output, in order: stored as the host carried it out
  }

  /** Notes a persist, compact or archive output. */
  saw(output) {
    if (output && typeof output === "object") {
      if ("archive" in output) this.archive.push(output.archive);
      if ("persist" in output) this.unsynced = { record: output.persist, compact: false };
      if ("compact" in output) this.unsynced = { record: output.compact, compact: true };
    }
  }

  /** Applies the host's answer to the last persist. */
  answered(input) {
    if (input === "persisted") {
      if (this.unsynced) {
        this.records = this.unsynced.compact ? [this.unsynced.record] : [...this.records, this.unsynced.record];
      }
      this.unsynced = null;
    } else if (input && typeof input === "object" && "persist_failed" in input) {
      this.unsynced = null;
    }
  }

  /** A crash: what was not acknowledged is lost. */
  crash() {
    this.unsynced = null;
  }
}

/** Structural equality of JSON values; object key order does not matter, absent == undefined. */
export function jsonEqual(a, b) {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  const keys = (o) => Object.keys(o).filter((k) => o[k] !== undefined);
  const ka = keys(a);
  const kb = keys(b);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual(a[k], b[k]));
}

/** Replays one vector; returns null when it passes, or a description of the first difference. */
export function replayVector(vector, factory) {
  const journal = new JournalModel();
  let kernel;
  try {
    kernel = factory.create(vector.config);
  } catch (error) {
    return `create: ${describe(error)}`;
  }
  for (const [index, step] of vector.steps.entries()) {
    const got = [];
    let reconciled;
    try {
      if (step.input && typeof step.input === "object" && "reconcile" in step.input) {
        try {
          reconciled = { items: kernel.reconcileItems(step.input.reconcile.statements, journal.archive) };
        } catch (error) {
          reconciled = { refused: describe(error) };
        }
      } else if (step.input === "restart") {
        journal.crash();
        kernel = factory.restore(vector.config, journal.records, step.now);
      } else {
        // What the cardholder typed on the PIN pad goes to the host's security module, never
        // into the kernel's input.
        if (step.typed_pin != null) kernel.enterPin(step.typed_pin);
        journal.answered(step.input);
        kernel.handle(step.now, step.input);
      }
      for (let output = kernel.pollOutput(); output != null; output = kernel.pollOutput()) {
        journal.saw(output);
        got.push(output);
      }
    } catch (error) {
      return `step ${index}: ${describe(error)}`;
    }
    if (!jsonEqual(reconciled, step.reconciled)) {
      return `step ${index}: reconciled\n${JSON.stringify(step.reconciled, null, 2)}\ngot\n${JSON.stringify(reconciled, null, 2)}`;
    }
    if (!jsonEqual(got, step.expect)) {
      return `step ${index}: expected\n${JSON.stringify(step.expect, null, 2)}\ngot\n${JSON.stringify(got, null, 2)}`;
    }
  }
  return null;
}

/**
 * Replays every vector and returns { passed, failed, failures: [{ id, detail }] }. The caller
 * prints the `N passed, N failed` line so every host reports the same way.
 */
export function replayAll(vectors, factory) {
  const failures = [];
  for (const vector of vectors) {
    const detail = replayVector(vector, factory);
    if (detail !== null) failures.push({ id: vector.id, detail });
  }
  return { passed: vectors.length - failures.length, failed: failures.length, failures };
}

function describe(error) {
  return error instanceof Error ? error.message : String(error);
}
