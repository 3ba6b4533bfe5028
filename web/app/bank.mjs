// The simulated bank (the kernel's Acquirer) made to outlive the terminal's power cuts.
//
// A real bank keeps its ledger when a terminal loses power. The bank's whole state (keys, ledger,
// the replies it sent; never track data or PIN blocks) is saved to IndexedDB as a snapshot after
// every change, before its reply leaves the bank, so the terminal never sees a reply the
// reloaded bank would not remember. On load the latest snapshot is the bank.
import { Acquirer } from "../pkg/pos_kernel_web.js";

export class Bank {
  #store;
  #acquirer = new Acquirer();
  /** 1 when the saved bank could not be loaded (shown if not 0). */
  replayErrors = 0;

  constructor(store) {
    this.#store = store;
  }

  /** The bank as last saved, or a new one. */
  static async open(store) {
    const bank = new Bank(store);
    const [snapshot] = (await store.all("bank")).slice(-1);
    if (snapshot !== undefined) {
      try {
        bank.#acquirer = Acquirer.fromSnapshot(snapshot);
      } catch (error) {
        bank.replayErrors += 1;
        console.warn("the saved bank could not be loaded; starting a new one", error);
      }
    }
    return bank;
  }

  /** Saves the bank's state durably (one snapshot replaces the last). */
  #save() {
    return this.#store.replace("bank", this.#acquirer.snapshot());
  }

  static faultNames() {
    return Acquirer.faultNames();
  }

  async inject(name) {
    if (!Acquirer.faultNames().includes(name)) throw new Error(`unknown fault ${name}`);
    this.#acquirer.inject(name);
    await this.#save();
  }

  /** The bank asks the terminal (in its replies' header) for a management task. */
  async ask(terminalId, task) {
    this.#acquirer.ask(terminalId, task);
    await this.#save();
  }

  /** The next chip approval carries an issuer script. */
  async sendScript() {
    this.#acquirer.sendScriptWithNextApproval();
    await this.#save();
  }

  async clearFaults() {
    this.#acquirer.clearFaults();
    await this.#save();
  }

  /**
   * The bank receives one frame at `now`. Resolves to { outputs, fault }: the Acquirer's outputs
   * ({reply} | {late_reply} | "close") and the fault this frame used up, if any.
   */
  async handleFrame(now, hex) {
    const before = this.#acquirer.pendingFaults();
    const outputs = this.#acquirer.handleFrame(now, hex);
    const after = this.#acquirer.pendingFaults();
    await this.#save();
    return { outputs, fault: after.length < before.length ? before[0] : null };
  }

  pendingFaults() {
    return this.#acquirer.pendingFaults();
  }

  /** The ledger for display: { entries, balances }, PANs masked by the binding. */
  ledger() {
    return this.#acquirer.ledger();
  }

  /** The dates (YYYYMMDD) the bank has statements for. */
  statementDates() {
    return this.#acquirer.statementDates();
  }

  /** The merchant's statement file of `date` (docs/profile.md §8). */
  statement(merchantId, date) {
    return this.#acquirer.statement(merchantId, date);
  }

  netCharged(terminalId) {
    return this.#acquirer.netCharged(terminalId);
  }

  balance(pan) {
    return this.#acquirer.balance(pan);
  }
}
