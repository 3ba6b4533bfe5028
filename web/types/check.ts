// Uses every value of the wasm-bindgen API as a TypeScript program would, under `tsc --strict`
// (scripts/test-web.sh): the generated declarations (tsify, from the Rust types) must describe
// what the functions take and give, with no `any` to hide a mistake. Not run: type-checked only.
import init, {
  Terminal, Acquirer, decodeFrame, decodeRecord, defaultConfig, testCards, presentCard, cardVerdictData, checkJournal,
  transactionKinds, type KindInfo,
  type Config, type TerminalConfig, type Input, type Output, type Outcome, type Status, type TransactionLife,
  type JournalRecord, type FrameView, type Card, type Command, type Event, type OutcomeResult, type FailReason,
  type Guidance, type Text, type Receipt, type SettlementReport, type AcquirerOutput, type TrayCard,
  type CardRefusal, type JournalRefusal, type MaskedLedger, type Timer, type CardRequest, type PinRequest,
  type ReaderOutcome,
} from "../pkg/pos_kernel_web.js";

// Compile-time checks: `Equal<A, B>` must be `true`.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): void {}
// No `any` anywhere in what the API returns.
type IsAny<T> = 0 extends 1 & T ? true : false;
assertType<Equal<IsAny<Status>, false>>();
assertType<Equal<IsAny<ReturnType<Terminal["status"]>>, false>>();
assertType<Equal<IsAny<ReturnType<Terminal["query"]>>, false>>();
assertType<Equal<IsAny<ReturnType<typeof decodeRecord>>, false>>();
assertType<Equal<IsAny<Outcome["receipt"]>, false>>();
assertType<Equal<IsAny<Outcome["settlement"]>, false>>();
assertType<Equal<IsAny<ReturnType<typeof transactionKinds>>, false>>();

export async function day(): Promise<void> {
  await init();
  const config: Config = defaultConfig();
  const kinds: KindInfo[] = transactionKinds();
  const credits: string[] = kinds.filter((k) => k.side === "credit").map((k) => `${k.zh} ${k.en} ${k.shape?.mti ?? ""}`);
  const partial: TerminalConfig = { merchant_name: "SHOP", response_timeout_ms: 5_000 };
  const terminal = Terminal.create(partial);
  const restored: Terminal = Terminal.restore(config, ["00"], Date.now());
  const bank = new Acquirer();
  const journal: string[] = [];

  const signOn: Input = { command: "sign_on" };
  // A sale begun before its card: the kernel answers with card_required.
  const begin: Input = { command: { begin: { transaction: "sale", amount: 1234 } } };
  void begin;
  terminal.handle(Date.now(), signOn);
  for (let output: Output | null = terminal.pollOutput(); output !== null; output = terminal.pollOutput()) {
    handle(output);
  }
  const tray: TrayCard[] = testCards();
  const first = tray[0];
  if (first) {
    if (first.pin !== null) terminal.enterPin(first.pin);
    const card: Card = presentCard(first.pan, first.expiry, "insert", first.pin !== null);
    const sale: Command = { sale: { amount: 1_234, card } };
    terminal.handle(Date.now(), { command: sale });
  }
  terminal.handle(Date.now(), { card_verdict: { approved: true, icc_data: cardVerdictData(true) } });
  terminal.handle(Date.now(), { not_sent: "cannot reach the acquirer" });

  function handle(output: Output): void {
    if (typeof output === "object" && "persist" in output) {
      journal.push(output.persist);
      terminal.handle(Date.now(), "persisted");
    } else if (typeof output === "object" && "transmit" in output) {
      const view: FrameView = decodeFrame(output.transmit);
      const mti: string = view.mti;
      for (const action of bank.handleFrame(Date.now(), output.transmit) as AcquirerOutput[]) {
        if (typeof action === "object" && "reply" in action) terminal.handle(Date.now(), { receive: action.reply });
      }
      void mti;
    } else if (typeof output === "object" && "arm_timer" in output) {
      const timer: Timer = output.arm_timer.timer;
      const at: number = output.arm_timer.at;
      void [timer, at];
    } else if (typeof output === "object" && "card_required" in output) {
      // The card phase: present a card, or say what the reader saw instead.
      const request: CardRequest = output.card_required;
      const tap: boolean = request.interfaces.contactless;
      const prompt: string = request.prompt.en;
      const first = tray[0];
      const answer: Input = first && tap
        ? { card_presented: presentCard(first.pan, first.expiry, "tap", false) }
        : { card_reader: "try_another_interface" satisfies ReaderOutcome };
      terminal.handle(Date.now(), answer);
      void prompt;
    } else if (typeof output === "object" && "pin_required" in output) {
      const request: PinRequest = output.pin_required;
      terminal.enterPin("123456");
      terminal.handle(Date.now(), request.amount === null ? { card_reader: "cancelled" } : "pin_entered");
    } else if (typeof output === "object" && "event" in output) {
      const event: Event = output.event;
      if (typeof event === "object" && "not_sent" in event) {
        const cause: string = event.not_sent.cause;
        void cause;
      }
    } else if (typeof output === "object" && "outcome" in output) {
      const outcome: Outcome = output.outcome;
      const result: OutcomeResult = outcome.result;
      if (typeof result === "object" && "failed" in result) {
        const reason: FailReason = result.failed.reason;
        void reason;
      }
      const guidance: Guidance = outcome.guidance;
      const text: Text = guidance.merchant;
      const zh: string = text.zh;
      const receipt: Receipt | null = outcome.receipt;
      const card: string | undefined = receipt?.card;
      const report: SettlementReport | null | undefined = outcome.settlement;
      void [zh, card, report?.uploaded];
    }
  }

  const status: Status = terminal.status();
  const waiting: "acquirer" | "card" | "card_entry" | "pin" | undefined = status.in_flight?.waiting_for;
  const pending: number | undefined = status.pending_reversal?.stan;
  const life: TransactionLife | null = terminal.query({ stan: 2 });
  const charged = life?.charged;
  const record: JournalRecord | undefined = journal[0] === undefined ? undefined : decodeRecord(journal[0]);
  const refusal: CardRefusal | null = terminal.checkBeforeCard("sale", 100);
  const refused: JournalRefusal | null = checkJournal(
    { owner: "10000001", journal_id: "00", generation: 0, records: 1, note: "" },
    1,
    "10000001",
  );
  const ledger: MaskedLedger = bank.ledger();
  const first_entry_kind = ledger.entries[0]?.kind;
  void [restored, waiting, pending, charged, record, refusal?.guidance.merchant.en, refused?.reason, first_entry_kind];
}
