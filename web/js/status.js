// SPDX-License-Identifier: MIT
// The status line: one sentence a person can read, plus data attributes
// (state, transport, last id) that tests and styles read.
export class StatusLine {
  constructor(element) {
    this.element = element;
    this.lastEvent = null;
  }

  set(state, text, transport = this.element.dataset.transport) {
    this.element.dataset.state = state;
    this.element.dataset.transport = transport;
    const last = this.lastEvent
      ? ` Last picture #${this.lastEvent.id} at ${formatTime(this.lastEvent.published_at)}.`
      : "";
    this.element.textContent = text + last;
  }

  noteEvent(event) {
    this.lastEvent = event;
    this.element.dataset.lastId = String(event.id);
  }
}

function formatTime(rfc3339) {
  const date = new Date(rfc3339);
  return Number.isNaN(date.getTime()) ? rfc3339 : date.toLocaleTimeString();
}
