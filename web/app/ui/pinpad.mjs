// The cardholder's PIN pad: a separate little device, live only while the terminal asks for a
// PIN. The PIN goes into the Card object handed to the kernel (which builds the PIN block) and
// is never shown or stored.
import { h, fill } from "./dom.mjs";
import { t, onLang } from "../i18n.mjs";

export class PinPad {
  #root;
  #onEnter;
  #onCancel;
  #active = false;
  #pin = "";
  #display;

  constructor(root, { onEnter, onCancel }) {
    this.#root = root;
    this.#onEnter = onEnter;
    this.#onCancel = onCancel;
    onLang(() => this.render());
    this.render();
  }

  get active() {
    return this.#active;
  }

  activate() {
    this.#active = true;
    this.#pin = "";
    this.render();
  }

  deactivate() {
    if (!this.#active) return;
    this.#active = false;
    this.#pin = "";
    this.render();
  }

  /** One key: "0".."9", "back", "clear", "ok", "cancel". */
  key(k) {
    if (!this.#active) return;
    if (/^\d$/.test(k)) {
      if (this.#pin.length < 12) this.#pin += k;
    } else if (k === "back") this.#pin = this.#pin.slice(0, -1);
    else if (k === "clear") this.#pin = "";
    else if (k === "cancel") {
      this.deactivate();
      this.#onCancel();
      return;
    } else if (k === "ok") {
      const pin = this.#pin;
      this.deactivate();
      this.#onEnter(pin);
      return;
    }
    this.#showPin();
  }

  #showPin() {
    this.#display.textContent = this.#active ? (this.#pin ? "●".repeat(this.#pin.length) : t("pinpad_enter")) : t("pinpad_idle");
  }

  render() {
    this.#display = h("div", { class: "pin-display", testid: "pin-display" });
    const key = (k, label, cls = "") => h("button", { class: `pkey ${cls}`, testid: `pin-${k}`, disabled: !this.#active, onclick: () => this.key(k) }, label);
    fill(this.#root,
      h("div", { class: `pinpad${this.#active ? " active" : ""}`, testid: "pinpad" },
        h("div", { class: "pinpad-top" }, h("span", { class: "pinpad-name" }, t("pinpad_title")), h("span", { class: `led${this.#active ? " on" : ""}` })),
        this.#display,
        h("div", { class: "pinpad-keys" },
          ["1", "2", "3", "4", "5", "6", "7", "8", "9"].map((d) => key(d, d)),
          key("clear", t("key_clear"), "fn yellow"),
          key("0", "0"),
          key("back", "⌫", "fn yellow"),
          key("cancel", t("key_cancel"), "fn red wide"),
          key("ok", t("key_ok"), "fn green wide"))));
    this.#showPin();
  }
}
