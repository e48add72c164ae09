// SPDX-License-Identifier: MIT
// What the page tells the visitor about its state. The status line is a
// polite live region that changes only when the state does (connected,
// reconnecting …), so a screen reader is not told of every new picture,
// and says nothing when there is nothing to say (no "Ready."). Errors go
// to a banner over the page (role=alert) with a Retry button when
// retrying makes sense; while it shows, the line does not repeat it.
// Everything keeps its key, so a language switch re-renders.
import { t } from "./i18n.js";

export class StatusView {
  #line;
  #banner;
  #bannerText;
  #retry;
  #current = { state: "idle", key: null, params: {} };
  #error = null;
  #retryAction = null;

  constructor({ status, banner, bannerText, retry, dismiss }) {
    this.#line = status;
    this.#banner = banner;
    this.#bannerText = bannerText;
    this.#retry = retry;
    retry.addEventListener("click", () => this.#retryAction?.());
    dismiss.addEventListener("click", () => this.clearError());
  }

  // idle, connecting, connected, reconnecting, offline, browser-offline, bad-event
  get state() {
    return this.#current.state;
  }

  // The key of the error the banner shows, or null.
  get errorKey() {
    return this.#error?.key ?? null;
  }

  // sse, longpoll or none: what Live goes over (for styles and tests).
  set transport(name) {
    this.#line.dataset.transport = name ?? "none";
  }

  // state: a data-state value for styles and tests; key/params: the text
  // (key null: nothing to say).
  set(state, key = null, params = {}) {
    const same = this.#current.key === key && this.#current.state === state &&
      JSON.stringify(this.#current.params) === JSON.stringify(params);
    this.#current = { state, key, params };
    this.#line.dataset.state = state;
    if (!same) this.#render();
  }

  // The id of the newest event seen, for the tests and the styles.
  noteEvent(event) {
    this.#line.dataset.lastId = String(event.id);
  }

  // retry: a function, or null when trying again would not help.
  showError(key, params = {}, retry = null) {
    this.#error = { key, params };
    this.#retryAction = retry;
    this.#bannerText.textContent = t(key, params);
    this.#retry.hidden = retry === null;
    this.#banner.dataset.error = key;
    this.#banner.hidden = false;
  }

  // Clears the banner; with a key (or a prefix ending in "."), only that error.
  clearError(key = null) {
    if (key !== null && !(this.#error?.key === key || (key.endsWith(".") && this.#error?.key.startsWith(key)))) return;
    this.#error = null;
    this.#retryAction = null;
    this.#banner.hidden = true;
    delete this.#banner.dataset.error;
  }

  retranslate() {
    this.#render();
    if (this.#error) this.#bannerText.textContent = t(this.#error.key, this.#error.params);
  }

  #render() {
    this.#line.textContent = this.#current.key ? t(this.#current.key, this.#current.params) : "";
  }
}
