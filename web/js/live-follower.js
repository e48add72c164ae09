// SPDX-License-Identifier: MIT
// Live mode's decisions, kept apart from the network so they can be tested
// without a browser: Server-Sent Events first, long-polling when SSE never
// connects (or when forced), the last event id carried into every reconnect
// so nothing is missed, and a backoff after failures (1 s doubling to 30 s,
// with jitter) instead of hammering the server. The I/O is in transports.js;
// the unit tests hand in fake transports and timers.

export const SSE_FAILURES_BEFORE_FALLBACK = 3;
export const FAILURES_BEFORE_OFFLINE = 3;
export const MAX_BACKOFF_MS = 30000;

// Delay before retry number `attempt` (1, 2, 3 …): somewhere in the upper
// half of 1 s, 2 s, 4 s … capped at 30 s, so many clients do not retry in step.
export function backoffDelay(attempt, random = Math.random) {
  const base = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(Math.max(attempt - 1, 0), 5));
  return base / 2 + random() * (base / 2);
}

const realTimers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (timer) => clearTimeout(timer),
};

// A published picture's event names its URL in message; the others
// (removed, changed, moved, an album's) say what they are by type.
function isEvent(event) {
  return event !== null && typeof event === "object" && Number.isInteger(event.id) &&
    (typeof event.message === "string" || (typeof event.type === "string" && event.type !== "published"));
}

export class LiveFollower {
  // transports: { sse: { open(lastId, handlers, epoch) → { close() } } or null,
  //               longpoll: { newestId(signal), poll(since, signal, epoch) } }
  // onEvent(event); onState({ state, transport, delay }) where state is
  // connecting, connected, reconnecting, offline or bad-event.
  constructor({ transports, mode = "auto", onEvent, onState, timers = realTimers, random = Math.random }) {
    this.transports = transports;
    this.mode = ["sse", "longpoll"].includes(mode) ? mode : "auto";
    this.onEvent = onEvent;
    this.onState = onState;
    this.timers = timers;
    this.random = random;
    this.lastId = null;
    this.epoch = null;  // the history lastId belongs to (event.epoch)
    this.state = "stopped";
    this.fellBack = false;
    this.run = null;
  }

  start(lastId = this.lastId) {
    this.stop();
    this.lastId = lastId;
    const run = { stopped: false, cleanup: () => {} };
    this.run = run;
    if (this.usesSse()) this.followSse(run);
    else this.followLongPoll(run);
  }

  stop() {
    if (!this.run) return;
    this.run.stopped = true;
    this.run.cleanup();
    this.run = null;
    this.state = "stopped";
  }

  // After sleep, a network change or a Retry click: connect again now rather
  // than wait for a dead connection to time out or a backoff to end.
  resume() {
    if (this.run) this.start();
  }

  get running() {
    return this.run !== null;
  }

  usesSse() {
    if (this.mode === "longpoll" || !this.transports.sse) return false;
    return this.mode === "sse" || !this.fellBack;
  }

  setState(state, transport, delay = 0) {
    this.state = state;
    this.onState({ state, transport, delay });
  }

  deliver(event) {
    if (!isEvent(event)) {
      this.setState("bad-event", this.usesSse() ? "sse" : "longpoll");
      return;
    }
    this.lastId = event.id;
    if (typeof event.epoch === "string") this.epoch = event.epoch;
    this.onEvent(event);
  }

  // EventSource reconnects by itself (with Last-Event-ID) after a dropped
  // stream; when it gives up (closed), a new one is opened after a backoff,
  // given the last id explicitly since a new EventSource cannot know it.
  followSse(run) {
    let failures = 0;
    let everOpened = false;
    let handle = null;
    let retry = null;
    const controller = new AbortController();
    run.cleanup = () => {
      controller.abort();
      handle?.close();
      this.timers.clear(retry);
    };
    const open = async () => {
      if (run.stopped) return;
      this.setState(failures ? "reconnecting" : "connecting", "sse");
      await this.learnNewestId(controller.signal);
      if (run.stopped) return;
      handle = this.transports.sse.open(this.lastId, {
        onOpen: () => {
          failures = 0;
          everOpened = true;
          this.setState("connected", "sse");
        },
        onEvent: (event) => this.deliver(event),
        onError: (closed) => {
          if (run.stopped) return;
          failures++;
          if (!everOpened && this.mode === "auto" && failures >= SSE_FAILURES_BEFORE_FALLBACK) {
            handle.close();
            this.fellBack = true;
            this.followLongPoll(run);
            return;
          }
          const state = failures >= FAILURES_BEFORE_OFFLINE ? "offline" : "reconnecting";
          if (!closed) {
            this.setState(state, "sse");
            return;
          }
          const delay = backoffDelay(failures, this.random);
          this.setState(state, "sse", delay);
          retry = this.timers.set(open, delay);
        },
      }, this.epoch);
    };
    open();
  }

  // A follower that has seen no event yet starts from the server's newest
  // id, so that a reconnect can ask for everything after it: without an id,
  // whatever was published while the connection was down would be lost.
  async learnNewestId(signal) {
    if (this.lastId !== null) return;
    try {
      this.adoptNewestId(await this.transports.longpoll.newestId(signal));
    } catch {
      // The server is not there: the stream's own failure will say so.
    }
  }

  adoptNewestId(newest) {
    if (this.lastId === null && Number.isInteger(newest)) this.lastId = newest;
  }

  // A held poll says nothing until an event or its timeout, so a quick
  // question first tells whether the server is there at all; it also gives
  // the newest id, so an event published before the first poll is not lost.
  async followLongPoll(run) {
    const controller = new AbortController();
    let wake = () => {};
    run.cleanup = () => {
      controller.abort();
      wake();
    };
    const { longpoll } = this.transports;
    let failures = 0;
    let connected = false;
    this.setState("connecting", "longpoll");
    while (!run.stopped) {
      try {
        if (!connected) {
          this.adoptNewestId(await longpoll.newestId(controller.signal));
          connected = true;
          failures = 0;
          this.setState("connected", "longpoll");
        }
        const event = await longpoll.poll(this.lastId, controller.signal, this.epoch);
        if (run.stopped) return;
        if (event) this.deliver(event);
      } catch {
        if (run.stopped) return;
        connected = false;
        failures++;
        const delay = backoffDelay(failures, this.random);
        this.setState(failures >= FAILURES_BEFORE_OFFLINE ? "offline" : "reconnecting", "longpoll", delay);
        await new Promise((resolve) => {
          const timer = this.timers.set(resolve, delay);
          wake = () => {
            this.timers.clear(timer);
            resolve();
          };
        });
      }
    }
  }
}
