// The card tray: the bank's test cards, each to tap, insert or swipe. The buttons only work
// while the terminal asks for a card. Balances are the bank's, live.
import { h, fill } from "./dom.mjs";
import { t, onLang } from "../i18n.mjs";
import { yuan } from "../format.mjs";

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
  #waiting = false;

  /** cards: testCards(); onPresent(card, how). */
  constructor(root, { cards, bank, onPresent }) {
    this.#root = root;
    this.#cards = cards;
    this.#bank = bank;
    this.#onPresent = onPresent;
    onLang(() => this.render());
    this.render();
  }

  setWaiting(waiting) {
    if (waiting === this.#waiting) return;
    this.#waiting = waiting;
    this.render();
  }

  render() {
    fill(this.#root,
      h("div", { class: "panel-head" }, h("h2", {}, t("cards_title"))),
      h("p", { class: `help${this.#waiting ? " attention" : ""}` }, this.#waiting ? t("prompt_card") : t("cards_hint")),
      h("ul", { class: `card-list${this.#waiting ? " waiting" : ""}` }, this.#cards.map((card, i) => this.#card(card, i))));
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
            disabled: !this.#waiting,
            title: t(key),
            onclick: () => this.#onPresent(card, how),
          }, h("span", { class: "icon" }, icon), t(key)))));
  }
}
