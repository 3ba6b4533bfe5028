// Durable storage in IndexedDB. Object stores with auto-increment keys, so reading them back
// gives the order of writing:
//   journal  the kernel's journal records (hex), the only thing a restore needs
//   meta     the journal's anchor (key "anchor"): owner (terminal id), journal id, generation,
//            records — what the journal once held, written in the same transaction as every
//            record, so that a journal that lost records or another terminal's is refused at
//            boot (the rule is pos-journal's Anchor::check, called through checkJournal)
//   bank     the simulated bank's latest snapshot (one value), the bank after a reload
//   trace    the message trace, so the timeline survives a reload (a power cut)
//   archive  settled batches (hex of the kernel's ArchivedBatch), each stored before the
//            compaction that removes it from the journal: statement reconciliation and reprint
const DB_NAME = "pos-virtual-terminal";
const DB_VERSION = 3;
const STORES = ["journal", "meta", "bank", "trace", "archive"];
const ANCHOR = "anchor";
/** The records' format, as pos-journal's FORMAT_VERSION: 4 keeps chip evidence and advices (an
 * anchor of format 3, or without one, format 2's with card numbers in clear, is refused: checkJournal). */
export const JOURNAL_FORMAT = 4;

function settle(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** Resolves when the transaction is committed: for a "strict" one, when it is on disk. */
function committed(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error("IndexedDB transaction failed"));
    tx.onabort = () => reject(tx.error ?? new Error("IndexedDB transaction aborted"));
  });
}

export async function openStore() {
  const open = indexedDB.open(DB_NAME, DB_VERSION);
  open.onupgradeneeded = () => {
    for (const name of STORES) {
      if (!open.result.objectStoreNames.contains(name)) open.result.createObjectStore(name, { autoIncrement: true });
    }
  };
  return new Store(await settle(open));
}

/** A new journal id: 64 random bits as 16 hex digits. */
function newJournalId() {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export class Store {
  #db;
  /** The anchor as last committed (null before the journal is opened). */
  #anchor = null;

  constructor(db) {
    this.#db = db;
  }

  /** Every value of a store, oldest first. */
  all(name) {
    return settle(this.#db.transaction(name, "readonly").objectStore(name).getAll());
  }

  /** Appends one value; `strict` asks the browser to flush it to disk before resolving. */
  async append(name, value, { strict = false } = {}) {
    const tx = this.#db.transaction(name, "readwrite", { durability: strict ? "strict" : "relaxed" });
    tx.objectStore(name).add(value);
    await committed(tx);
  }

  /** Replaces a whole store with one value, atomically (one transaction). */
  async replace(name, value) {
    const tx = this.#db.transaction(name, "readwrite", { durability: "strict" });
    const store = tx.objectStore(name);
    store.clear();
    store.add(value);
    await committed(tx);
  }

  async clearAll() {
    const tx = this.#db.transaction(STORES, "readwrite", { durability: "strict" });
    for (const name of STORES) tx.objectStore(name).clear();
    await committed(tx);
    this.#anchor = null;
  }

  // ---- the kernel's journal: a persist output is appended, a compact output replaces everything

  /**
   * The journal's records and its anchor as stored (the anchor is `null` for a journal that never
   * had one). The caller checks them before restoring, then calls `adopt` (or refuses).
   */
  async readJournal() {
    const tx = this.#db.transaction(["journal", "meta"], "readonly");
    const [records, anchor] = await Promise.all([
      settle(tx.objectStore("journal").getAll()),
      settle(tx.objectStore("meta").get(ANCHOR)),
    ]);
    return { records, anchor: anchor ?? null };
  }

  /** Takes the journal as this terminal's (`owner`): writes an anchor for one that had none. */
  async adopt(owner, { records, anchor }) {
    if (anchor) {
      // checkJournal let it through: it has no records, or records of this format.
      this.#anchor = { ...anchor, records: Math.max(anchor.records, records.length), format: JOURNAL_FORMAT };
      return;
    }
    const created = { owner, journal_id: newJournalId(), generation: 0, records: records.length, note: "", format: JOURNAL_FORMAT };
    const tx = this.#db.transaction("meta", "readwrite", { durability: "strict" });
    tx.objectStore("meta").put(created, ANCHOR);
    await committed(tx);
    this.#anchor = created;
  }

  /** Appends a record and counts it in the anchor, in one durable transaction. */
  async appendRecord(hex) {
    const anchor = { ...this.#anchor, records: this.#anchor.records + 1 };
    const tx = this.#db.transaction(["journal", "meta"], "readwrite", { durability: "strict" });
    tx.objectStore("journal").add(hex);
    tx.objectStore("meta").put(anchor, ANCHOR);
    await committed(tx);
    this.#anchor = anchor;
  }

  /** The journal becomes exactly [snapshot], the next generation, in one durable transaction. */
  async compactTo(hex) {
    const anchor = { ...this.#anchor, generation: this.#anchor.generation + 1, records: 1 };
    const tx = this.#db.transaction(["journal", "meta"], "readwrite", { durability: "strict" });
    const journal = tx.objectStore("journal");
    journal.clear();
    journal.add(hex);
    tx.objectStore("meta").put(anchor, ANCHOR);
    await committed(tx);
    this.#anchor = anchor;
  }

  journal() {
    return this.all("journal");
  }

  /** Stores a settled batch durably (before the compaction that removes it from the journal). */
  async archiveBatch(hex) {
    const tx = this.#db.transaction(["archive"], "readwrite", { durability: "strict" });
    tx.objectStore("archive").add(hex);
    await committed(tx);
  }

  /**
   * Keeps the archive to `keepDays` days before the newest batch's settlement, and one copy of
   * each batch (the later). `info(hex)` is the binding's archivedBatchInfo.
   */
  async pruneArchive(info, keepDays) {
    const tx = this.#db.transaction(["archive"], "readwrite", { durability: "strict" });
    const store = tx.objectStore("archive");
    const [keys, values] = await Promise.all([settle(store.getAllKeys()), settle(store.getAll())]);
    const infos = values.map((hex) => info(hex));
    const day = (settledAt) => Date.parse(`${settledAt.slice(0, 10)}T00:00:00Z`) / 86_400_000;
    const newest = Math.max(...infos.map((i) => day(i.settled_at)));
    infos.forEach((i, n) => {
      const later = infos.slice(n + 1).some((j) => j.batch === i.batch);
      if (later || day(i.settled_at) < newest - keepDays) store.delete(keys[n]);
    });
    await committed(tx);
  }

  /** The archived batches, oldest first (a batch archived twice, after a crash, appears twice:
   * the later copy is the one to read). */
  archive() {
    return this.all("archive");
  }
}
