// SPDX-License-Identifier: MIT
// What the page tells the visitor about its state. The status line is a
// polite live region that changes only when the state does (connected,
// reconnecting, offline …), so a screen reader is not told of every new
// picture; the last picture's id and time sit in a quiet line next to it.
// Errors go to a banner (role=alert) with a Retry button when retrying
// makes sense. Everything keeps its key, so a language switch re-renders.
import { formatTime, t } from "./i18n.js";

export class StatusView {
  constructor({ status, last, banner, bannerText, retry, dismiss }) {
    Object.assign(this, { status, last, banner, bannerText, retry });
    this.current = null;
    this.lastEvent = null;
    this.error = null;
    this.retryAction = null;
    retry.addEventListener("click", () => this.retryAction?.());
    dismiss.addEventListener("click", () => this.clearError());
  }

  // state: a data-state value for styles and tests; key/params: the text.
  set(state, key, params = {}) {
    const same = this.current && this.current.key === key && this.current.state === state &&
      JSON.stringify(this.current.params) === JSON.stringify(params);
    this.current = { state, key, params };
    this.status.dataset.state = state;
    if (!same) this.status.textContent = t(key, params);
  }

  noteEvent(event) {
    this.lastEvent = event;
    this.status.dataset.lastId = String(event.id);
    this.renderLast();
  }

  renderLast() {
    if (!this.lastEvent) return;
    this.last.textContent = t("status.last", {
      id: this.lastEvent.id, time: formatTime(this.lastEvent.published_at),
    });
  }

  // retry: a function, or null when trying again would not help.
  showError(key, params = {}, retry = null) {
    this.error = { key, params };
    this.retryAction = retry;
    this.bannerText.textContent = t(key, params);
    this.retry.hidden = retry === null;
    this.banner.dataset.error = key;
    this.banner.hidden = false;
  }

  clearError(key = null) {
    if (key !== null && this.error?.key !== key) return;
    this.error = null;
    this.retryAction = null;
    this.banner.hidden = true;
    delete this.banner.dataset.error;
  }

  retranslate() {
    if (this.current) this.status.textContent = t(this.current.key, this.current.params);
    if (this.error) this.bannerText.textContent = t(this.error.key, this.error.params);
    this.renderLast();
  }
}
