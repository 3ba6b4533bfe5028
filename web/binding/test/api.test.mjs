// The wasm-bindgen API from Node: bad input gives a clear error (never a trap), secrets stay
// masked, and a sale runs end to end against the compiled-in acquirer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  initSync, Terminal, Acquirer, decodeFrame, decodeRecord, defaultConfig, testCards, presentCard, cardVerdictData, checkJournal,
} from "../../pkg/pos_kernel_web.js";

initSync({ module: readFileSync(new URL("../../pkg/pos_kernel_web_bg.wasm", import.meta.url)) });

const NOW = 1_795_226_400_000;

/** Carries out outputs the simplest way: journal in memory, frames straight to the bank. */
function runUntilOutcome(terminal, bank, journal, now) {
  for (let guard = 0; guard < 100; guard++) {
    const output = terminal.pollOutput();
    if (output === null) return null;
    if (output.persist !== undefined) {
      journal.push(output.persist);
      terminal.handle(now, "persisted");
    } else if (output.transmit !== undefined) {
      for (const action of bank.handleFrame(now, output.transmit)) {
        if (action.reply) terminal.handle(now, { receive: action.reply });
      }
    } else if (output.event?.card_verdict_required) {
      terminal.handle(now, { card_verdict: { approved: true, icc_data: cardVerdictData(true) } });
    } else if (output.outcome) {
      return output.outcome;
    }
  }
  throw new Error("no outcome");
}

test("a chip sale is approved by the compiled-in acquirer, with a masked receipt", () => {
  const terminal = Terminal.create(defaultConfig());
  const bank = new Acquirer();
  const journal = [];
  terminal.handle(NOW, { command: "sign_on" });
  assert.equal(runUntilOutcome(terminal, bank, journal, NOW).result, "approved");
  const chip = testCards().find((c) => c.pan.startsWith("6217"));
  // The PIN goes to the terminal's PIN pad; the card only says that one was entered.
  terminal.enterPin(chip.pin);
  const card = presentCard(chip.pan, chip.expiry, "insert", true);
  assert.ok(!JSON.stringify(card).includes(chip.pin), "no PIN in the card");
  terminal.handle(NOW, { command: { sale: { amount: 1234, card } } });
  const outcome = runUntilOutcome(terminal, bank, journal, NOW);
  assert.equal(outcome.result, "approved");
  assert.equal(outcome.receipt.amount, 1234);
  assert.equal(outcome.receipt.card, "621700*********0012");
  assert.equal(bank.netCharged("10000001"), 1234);
  // The journal restores to the same state.
  const restored = Terminal.restore(defaultConfig(), journal, NOW + 1000);
  assert.deepEqual(restored.status(), terminal.status());
  assert.equal(terminal.status().net_total, 1234);
});

test("bad input is a thrown Error that says what is wrong", () => {
  assert.throws(() => Terminal.create({ terminal_id: "123" }), /terminal_id|terminal id/i);
  assert.throws(() => Terminal.create({ no_such_field: 1 }), /invalid configuration: unknown field `no_such_field`/);
  assert.throws(
    () => Terminal.create({ ...defaultConfig(), tpdu: { destination: 3, source: 0, sorce: 1 } }),
    /unknown field `tpdu.sorce`/,
  );
  // A partial configuration takes the defaults for the rest.
  assert.equal(Terminal.create({ merchant_name: "SHOP" }).status().batch, defaultConfig().initial_batch);
  const terminal = Terminal.create(defaultConfig());
  assert.throws(() => terminal.handle(NOW, { command: "refund_everything" }), /invalid input/);
  assert.throws(() => terminal.handle(-1, "persisted"), /invalid timestamp/);
  assert.throws(() => terminal.handle(2 ** 64, "persisted"), /invalid timestamp/);
  assert.throws(() => terminal.handle(NOW, { receive: "zz" }), /invalid input/);
  assert.throws(() => Terminal.restore(defaultConfig(), ["not hex"], NOW), /journal record/);
  assert.throws(() => Terminal.restore(defaultConfig(), ["00"], NOW), /journal/i);
  assert.throws(() => decodeFrame("0003600003"), /./);
  assert.throws(() => new Acquirer().inject("rain"), /rain/);
  assert.throws(() => presentCard("6222020000000007", "3012", "wave", false), /swipe, insert or tap/);
  assert.throws(() => presentCard("6222020000000007", "3012", "swipe", "123456"), /invalid pinEntered: expected true or false/);
  assert.throws(() => terminal.enterPin("12"), /invalid pin: expected 4 to 12 digits/);
  // The terminal still works after every refusal.
  terminal.handle(NOW, { command: "sign_on" });
  assert.ok(terminal.pollOutput().persist);
});

test("decodeFrame masks the PAN and hides track data and the PIN block", () => {
  const terminal = Terminal.create(defaultConfig());
  const bank = new Acquirer();
  terminal.handle(NOW, { command: "sign_on" });
  runUntilOutcome(terminal, bank, [], NOW);
  const swiped = testCards().find((c) => c.pan === "6222020000000007");
  terminal.enterPin(swiped.pin);
  terminal.handle(NOW, { command: { sale: { amount: 100, card: presentCard(swiped.pan, swiped.expiry, "swipe", true) } } });
  terminal.handle(NOW, "persisted");
  const request = Array.from({ length: 4 }, () => terminal.pollOutput()).find((o) => o?.transmit);
  const view = decodeFrame(request.transmit);
  assert.equal(view.mti, "0200");
  const field = (n) => view.fields.find((f) => f.number === n)?.value;
  assert.equal(field(35), "622202******0007=****");
  assert.equal(field(52), "*".repeat(16));
  assert.ok(!JSON.stringify(view).includes("6222020000000007"));
});

test("decodeRecord shows a journal record with every PAN masked", () => {
  const terminal = Terminal.create(defaultConfig());
  const bank = new Acquirer();
  const journal = [];
  terminal.handle(NOW, { command: "sign_on" });
  runUntilOutcome(terminal, bank, journal, NOW);
  const swiped = testCards().find((c) => c.pan === "6222020000000007");
  terminal.enterPin(swiped.pin);
  terminal.handle(NOW, { command: { sale: { amount: 100, card: presentCard(swiped.pan, swiped.expiry, "swipe", true) } } });
  assert.equal(runUntilOutcome(terminal, bank, journal, NOW).result, "approved");
  const approved = journal.map(decodeRecord).find((r) => r.approved);
  assert.equal(approved.approved.card.masked, "622202******0007");
  assert.equal(approved.approved.card.sealed.length, 16, "the card sealed under the data key");
  assert.equal(approved.approved.amount, 100);
  // The reversal the request carried: no card in its message (F2, F14), the card beside it
  // masked and sealed.
  const sent = journal.map(decodeRecord).find((r) => r.about_to_send?.reversal);
  const reversal = sent.about_to_send.reversal;
  assert.equal(reversal.message.fields["2"], undefined);
  assert.equal(reversal.message.fields["14"], undefined);
  assert.equal(reversal.card.masked, "622202******0007");
  assert.ok(!journal.map((r) => JSON.stringify(decodeRecord(r))).join().includes("6222020000000007"));
  assert.throws(() => decodeRecord("ff"), /journal/i);
});

/** Calls `f`, which must throw an `Error` (never a trap: a `WebAssembly.RuntimeError`). */
function refused(f) {
  try {
    f();
  } catch (error) {
    assert.ok(!(error instanceof WebAssembly.RuntimeError), `a trap: ${error.message}`);
    assert.ok(error instanceof Error);
    return error.message;
  }
  assert.fail("accepted");
}

test("a mistake in an input names the field and what was expected, and never traps", () => {
  const terminal = Terminal.create(defaultConfig());
  const card = { pan: "6222020000000007", entry: "magstripe" };
  assert.equal(
    refused(() => terminal.handle(NOW, { command: { sale: { amount: -1, card } } })),
    "invalid input at `command.sale.amount`: number `-1`, expected a whole number from 0 (u64)",
  );
  assert.match(
    refused(() => terminal.handle(NOW, { command: { sale: { amount: 100, card: { ...card, pan: 6222020000000007 } } } })),
    /at `command\.sale\.card\.pan`: number `6222020000000007`, expected a string/,
  );
  // A typo is refused, not ignored (a void with `crad` would use the journaled card).
  assert.equal(
    refused(() => terminal.handle(NOW, { command: { void: { original_stan: 2, crad: card } } })),
    "invalid input: unknown field `command.void.crad`",
  );
  assert.match(refused(() => terminal.handle(NOW, { command: { sale: { amount: 1, card: { ...card, pn: "1" } } } })), /`command\.sale\.card\.pn`/);
  assert.match(refused(() => terminal.query({ stna: 2 })), /unknown variant `stna`, expected `stan` or `rrn`/);
  // Absent and null optional fields are the same thing.
  terminal.handle(NOW, { command: { void: { original_stan: 2, card: null } } });
  assert.equal(terminal.pollOutput().outcome.result.failed.reason, "not_signed_on");
  // Numbers where strings belong: errors that name the argument.
  assert.match(refused(() => decodeFrame(12345)), /invalid frame: expected a string, got the number 12345/);
  assert.match(refused(() => decodeRecord(12345)), /invalid journal record: expected a string/);
  assert.match(refused(() => presentCard(6222020000000007, "3012", "swipe", false)), /invalid pan: expected a string/);
  assert.match(refused(() => new Acquirer().handleFrame(NOW, 42)), /invalid frame: expected a string/);
  assert.match(refused(() => Terminal.restore(defaultConfig(), [1, 2], NOW)), /journal record 0: expected a string/);
  assert.match(refused(() => Terminal.restore(defaultConfig(), "00", NOW)), /expected an array/);
  // The module still works.
  terminal.handle(NOW, { command: "sign_on" });
  assert.ok(terminal.pollOutput().persist);
});

test("a sale before sign-on or over the limit is refused before the card is asked for", () => {
  const terminal = Terminal.create(defaultConfig());
  const early = terminal.checkBeforeCard("sale", 100);
  assert.equal(early.reason, "not_signed_on");
  assert.equal(early.guidance.merchant.en, "Sign on first");
  const bank = new Acquirer();
  terminal.handle(NOW, { command: "sign_on" });
  runUntilOutcome(terminal, bank, [], NOW);
  assert.equal(terminal.checkBeforeCard("sale", 100), null);
  const over = terminal.checkBeforeCard("sale", defaultConfig().max_amount + 1);
  assert.deepEqual(over.reason, { over_limit: { limit: 5_000_000 } });
  assert.match(over.guidance.merchant.en, /limit of RMB 50000\.00/);
  assert.match(refused(() => terminal.checkBeforeCard("sail", 1)), /unknown variant `sail`/);
});

test("a journal that lost records or is another terminal's is refused", () => {
  const anchor = { owner: "10000001", journal_id: "6f1c0a93d2e4b857", generation: 0, records: 6, note: "", format: 4 };
  assert.equal(checkJournal(anchor, 6, "10000001"), null);
  assert.equal(checkJournal(anchor, 7, "10000001"), null, "ahead of its anchor is fine");
  assert.equal(checkJournal(anchor, 2, "10000001").reason, "shorter");
  assert.equal(checkJournal(anchor, 0, "10000001").reason, "missing");
  assert.equal(checkJournal(anchor, 6, "10000002").reason, "other_owner");
  assert.match(checkJournal(anchor, 2, "10000001").message, /2 record\(s\).*6 record\(s\)/);
  assert.match(refused(() => checkJournal({ ...anchor, extra: 1 }, 6, "10000001")), /unknown field `extra`/);
});

test("a journal of the previous format (card numbers in clear) is refused with what to do", () => {
  // The anchor as the previous version stored it: no `format`.
  const previous = { owner: "10000001", journal_id: "6f1c0a93d2e4b857", generation: 0, records: 6, note: "" };
  const refusal = checkJournal(previous, 6, "10000001");
  assert.equal(refusal.reason, "old_format");
  assert.match(refusal.message, /kept card numbers in clear.*settle its batch with the version that wrote it/);
  assert.equal(checkJournal({ ...previous, records: 0 }, 0, "10000001"), null, "an empty journal is simply started in the new format");
  assert.equal(checkJournal({ ...previous, format: 3 }, 6, "10000001").reason, "old_format");
  assert.match(checkJournal({ ...previous, format: 3 }, 6, "10000001").message, /earlier version.*settle its batch/);
  assert.equal(checkJournal({ ...previous, format: 5 }, 6, "10000001").reason, "old_format");
});
