// The card tray: the bank's test cards, each to tap, insert or swipe. The buttons only work
// while the terminal asks for a card, and only on the interfaces the kernel allows then. Below
// them, what the card reader can report instead of a card (the kernel's reader outcomes), and
// the "pull the card early" control. Balances are the bank's, live.
import { h, fill } from "./dom.mjs";
import { t, onLang, pick } from "../i18n.mjs";
import { yuan } from "../format.mjs";

/** The reader outcomes a cashier can play, in the kernel's names. */
const READER = ["try_again", "try_another_interface", "chip_read_failed", "end_application", "card_expired", "card_blocked", "card_not_activated", "cancelled"];

/** Which interface of the kernel's request each way of presenting a card uses. */
const INTERFACE = { tap: "contactless", insert: "chip", swipe: "magstripe" };

const HOWS = [
  ["tap", "how.tap", ")))"],
  ["insert", "how.insert", "▣"],
  ["swipe", "how.swipe", "≡"],
];

function expired(expiry) {
  const now = new Date();
  const yymm = (now.getFullYear() % 100) * 100 + now.getMonth() + 1;
  return Number(expiry) < yymm;
}

export class CardTray {
  #root;
  #cards;
  #bank;
  #onPresent;
  #onReader;
  #onPull;
  #waiting = false;
  /** The kernel's card request (prompt, interfaces), once it has asked. */
  #request = null;
  #pullArmed = false;

  /** cards: testCards(); onPresent(card, how); onReader(outcome); onPull(armed). */
  constructor(root, { cards, bank, onPresent, onReader, onPull }) {
    this.#root = root;
    this.#cards = cards;
    this.#bank = bank;
    this.#onPresent = onPresent;
    this.#onReader = onReader;
    this.#onPull = onPull;
    onLang(() => this.render());
    this.render();
  }

  setWaiting(waiting, request = null) {
    if (waiting === this.#waiting && request === this.#request) return;
    this.#waiting = waiting;
    this.#request = request;
    this.render();
  }

  /** The "pull the card early" control was used (armed) or its chip card came (disarmed). */
  setPullArmed(armed) {
    if (armed === this.#pullArmed) return;
    this.#pullArmed = armed;
    this.render();
  }

  render() {
    const prompt = this.#request ? pick(this.#request.prompt) : t("prompt_card");
    fill(this.#root,
      h("div", { class: "panel-head" }, h("h2", {}, t("cards_title"))),
      h("p", { class: `help${this.#waiting ? " attention" : ""}`, testid: "tray-prompt" }, this.#waiting ? prompt : t("cards_hint")),
      h("ul", { class: `card-list${this.#waiting ? " waiting" : ""}` }, this.#cards.map((card, i) => this.#card(card, i))),
      h("div", { class: "reader-controls" },
        h("h3", {}, t("reader_title")),
        h("div", { class: "reader-buttons" },
          READER.map((outcome) => h("button", {
            class: "reader",
            testid: `reader-${outcome}`,
            disabled: !this.#waiting,
            onclick: () => this.#onReader(outcome),
          }, t(`reader.${outcome}`)))),
        h("button", {
          class: `pull${this.#pullArmed ? " armed" : ""}`,
          testid: "pull-card",
          onclick: () => this.#onPull(!this.#pullArmed),
        }, this.#pullArmed ? t("pull_card_armed") : t("pull_card"))));
  }

  /** Whether the kernel's request (if any) allows this way of presenting a card. */
  #allowed(how) {
    return this.#waiting && (this.#request === null || this.#request.interfaces[INTERFACE[how]]);
  }

  #card(card, index) {
    const last4 = card.pan.slice(-4);
    const balance = this.#bank.balance(card.pan);
    const notes = [
      card.pin ? t("card_pin", { pin: card.pin }) : t("card_no_pin"),
      card.foreign ? t("card_foreign") : null,
      expired(card.expiry) ? `${t("card_expired")} ${card.expiry.slice(2)}/${card.expiry.slice(0, 2)}` : null,
      balance === undefined ? t("card_unknown") : t("card_balance", { amount: yuan(balance) }),
    ].filter(Boolean);
    return h("li", { class: "tray-card", testid: `card-${last4}` },
      h("div", { class: `card-art art-${index % 7}${card.foreign ? " foreign" : ""}` },
        h("span", { class: "chip" }),
        h("span", { class: "card-brand" }, card.foreign ? "INTL" : "银联 TEST"),
        h("span", { class: "card-num" }, card.masked)),
      h("div", { class: "card-info" },
        h("div", { class: "mono" }, card.masked),
        h("div", { class: "card-notes" }, notes.join(" · "))),
      h("div", { class: "card-actions" },
        HOWS.map(([how, key, icon]) =>
          h("button", {
            class: `how how-${how}`,
            testid: `card-${last4}-${how}`,
            disabled: !this.#allowed(how),
            title: t(key),
            onclick: () => this.#onPresent(card, how),
          }, h("span", { class: "icon" }, icon), t(key)))));
  }
}
