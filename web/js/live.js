// SPDX-License-Identifier: MIT
// Live mode: follows the server's events over Server-Sent Events, or over
// long-polling when SSE is unavailable or keeps failing, always carrying
// the last event id so a reconnect misses nothing. Failures back off
// (1 s, 2 s, 4 s … 30 s, with jitter) instead of hammering the server.
import { API, getJson } from "./api.js";

const SSE_FAILURES_BEFORE_FALLBACK = 3;
const POLL_TIMEOUT_SECONDS = 25;

export function backoffDelay(attempt) {
  const base = Math.min(30000, 1000 * 2 ** Math.min(attempt, 5));
  return base / 2 + Math.random() * (base / 2);
}

function sleep(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}

export class LiveFollower {
  // onEvent(event), onState(state, text, transport)
  constructor({ transport = "auto", onEvent, onState }) {
    this.forced = transport === "sse" || transport === "longpoll" ? transport : null;
    this.onEvent = onEvent;
    this.onState = onState;
    this.lastId = null;
    this.controller = null;
  }

  start() {
    this.stop();
    this.controller = new AbortController();
    const useSse = this.forced === "sse" || (this.forced === null && "EventSource" in window);
    if (useSse) this.followSse(this.controller.signal);
    else this.followLongPoll(this.controller.signal);
  }

  stop() {
    this.controller?.abort();
    this.controller = null;
  }

  deliver(event) {
    this.lastId = event.id;
    this.onEvent(event);
  }

  // EventSource reconnects by itself (with Last-Event-ID) after a dropped
  // stream; when it gives up (an HTTP error), we open a new one ourselves,
  // passing the last id in the query since a new EventSource cannot.
  followSse(signal) {
    let failures = 0;
    let everOpened = false;
    let source = null;

    const open = () => {
      if (signal.aborted) return;
      const query = this.lastId !== null ? `?lastEventId=${this.lastId}` : "";
      source = new EventSource(`${API}/events${query}`);
      this.onState(failures ? "reconnecting" : "connecting", "Connecting…", "sse");
      source.onopen = () => {
        failures = 0;
        everOpened = true;
        this.onState("connected", "Live: following new pictures.", "sse");
      };
      source.addEventListener("image", (message) => {
        try {
          this.deliver(JSON.parse(message.data));
        } catch {
          this.onState("error", "The server sent an unreadable event.", "sse");
        }
      });
      source.onerror = () => {
        failures++;
        if (!everOpened && !this.forced && failures >= SSE_FAILURES_BEFORE_FALLBACK) {
          source.close();
          this.followLongPoll(signal);
          return;
        }
        const offline = failures >= SSE_FAILURES_BEFORE_FALLBACK;
        const state = offline ? "offline" : "reconnecting";
        if (source.readyState === EventSource.CLOSED) {
          const delay = backoffDelay(failures);
          this.onState(state, `Connection lost; retrying in ${Math.ceil(delay / 1000)} s.`, "sse");
          setTimeout(open, delay);
        } else {
          this.onState(state, offline ? "The server cannot be reached; retrying…" : "Connection lost; reconnecting…", "sse");
        }
      };
    };

    signal.addEventListener("abort", () => source?.close(), { once: true });
    open();
  }

  // A held poll says nothing until an event or its timeout, so a quick
  // request first tells whether the server is there at all.
  async followLongPoll(signal) {
    let failures = 0;
    let connected = false;
    this.onState("connecting", "Connecting…", "longpoll");
    while (!signal.aborted) {
      try {
        if (!connected) {
          const stats = await getJson(`${API}/stats`, { signal });
          // Start from the newest id, so an event published before the
          // first poll reaches the server is not lost.
          if (this.lastId === null && Number.isInteger(stats.newest_id)) this.lastId = stats.newest_id;
          connected = true;
          failures = 0;
          this.onState("connected", "Live: following new pictures.", "longpoll");
        }
        const since = this.lastId !== null ? `since=${this.lastId}&` : "";
        const event = await getJson(`${API}/rndimg/poll?${since}timeout=${POLL_TIMEOUT_SECONDS}`, { signal });
        if (event) this.deliver(event);
      } catch (error) {
        if (signal.aborted) return;
        connected = false;
        failures++;
        const delay = backoffDelay(failures);
        const state = failures >= 3 ? "offline" : "reconnecting";
        this.onState(state, `${error.message} Retrying in ${Math.ceil(delay / 1000)} s.`, "longpoll");
        await sleep(delay, signal);
      }
    }
  }
}
