// Durable storage in IndexedDB. Three object stores with auto-increment keys, so reading them
// back gives the order of writing:
//   journal  the kernel's journal records (hex), the only thing a restore needs
//   bank     the simulated bank's latest snapshot (one value), the bank after a reload
//   trace    the message trace, so the timeline survives a reload (a power cut)
const DB_NAME = "pos-virtual-terminal";
const DB_VERSION = 1;
const STORES = ["journal", "bank", "trace"];

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

export class Store {
  #db;

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
  }

  // The kernel journal: a persist output is appended, a compact output replaces everything.
  journal() {
    return this.all("journal");
  }
  appendRecord(hex) {
    return this.append("journal", hex, { strict: true });
  }
  compactTo(hex) {
    return this.replace("journal", hex);
  }
}
