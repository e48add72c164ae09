// SPDX-License-Identifier: MIT
// Unit tests of the page's live follower (web/js/live-follower.js) with fake
// transports and timers: no browser, no server, no waiting.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  FAILURES_BEFORE_OFFLINE, LiveFollower, MAX_BACKOFF_MS, SSE_FAILURES_BEFORE_FALLBACK, backoffDelay,
} from "../../web/js/live-follower.js";

// Timers that only run when the test says so, and remember each delay.
function fakeTimers() {
  const pending = [];
  return {
    pending,
    set(callback, ms) {
      const timer = { callback, ms };
      pending.push(timer);
      return timer;
    },
    clear(timer) {
      const index = pending.indexOf(timer);
      if (index >= 0) pending.splice(index, 1);
    },
    runNext() {
      const timer = pending.shift();
      assert.ok(timer, "a timer should be pending");
      timer.callback();
      return timer.ms;
    },
  };
}

// An SSE transport whose connections the test opens, feeds and breaks.
function fakeSse() {
  const connections = [];
  return {
    connections,
    open(lastId, handlers, epoch = null) {
      const connection = { lastId, epoch, handlers, closed: false, close() { this.closed = true; } };
      connections.push(connection);
      return connection;
    },
    get latest() {
      return connections.at(-1);
    },
  };
}

// A long-poll transport answering from a queue of events; an empty queue
// holds the poll until the test pushes or the follower aborts.
function fakeLongPoll({ newest = 0, failures = 0 } = {}) {
  const polls = [];
  const queue = [];
  let release = null;
  let failuresLeft = failures;
  return {
    polls,
    questions: 0,
    async newestId() {
      this.questions++;
      if (failuresLeft > 0) {
        failuresLeft--;
        throw new Error("refused");
      }
      return newest;
    },
    epochs: [],
    poll(since, signal, epoch = null) {
      polls.push(since);
      this.epochs.push(epoch);
      if (queue.length) return Promise.resolve(queue.shift());
      return new Promise((resolve, reject) => {
        release = resolve;
        signal.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")), { once: true });
      });
    },
    push(event) {
      if (release) {
        const resolve = release;
        release = null;
        resolve(event);
      } else {
        queue.push(event);
      }
    },
  };
}

const event = (id, name = `0${id % 9 || 1}.png`) => ({ id, name, message: `http://x/static/img/${name}` });
const settle = () => new Promise((resolve) => setImmediate(resolve));

function makeFollower({ sse = fakeSse(), longpoll = fakeLongPoll(), mode = "auto", timers = fakeTimers(), random = () => 0.5 } = {}) {
  const events = [];
  const states = [];
  const follower = new LiveFollower({
    transports: { sse, longpoll },
    mode,
    timers,
    random,
    onEvent: (received) => events.push(received),
    onState: (state) => states.push(state),
  });
  return { follower, sse, longpoll, timers, events, states };
}

test("backoff grows from about 1 s, doubles, and never passes 30 s", async () => {
  let previousMax = 0;
  for (let attempt = 1; attempt <= 12; attempt++) {
    const low = backoffDelay(attempt, () => 0);
    const high = backoffDelay(attempt, () => 0.999999);
    assert.ok(low >= 500, `attempt ${attempt}: ${low} ms is below half a second`);
    assert.ok(high <= MAX_BACKOFF_MS, `attempt ${attempt}: ${high} ms is above the 30 s cap`);
    assert.ok(low >= high / 2 - 1, `attempt ${attempt}: jitter wider than half the delay`);
    assert.ok(high >= previousMax, `attempt ${attempt}: the delay shrank`);
    previousMax = high;
  }
  assert.ok(backoffDelay(1, () => 0.999999) <= 1000, "the first retry waits at most 1 s");
  assert.ok(backoffDelay(20, () => 0) >= MAX_BACKOFF_MS / 2, "late retries stay near the cap");
});

test("SSE starts from the server's newest id; events are delivered and the state says connected", async () => {
  const { follower, sse, events, states } = makeFollower({ longpoll: fakeLongPoll({ newest: 9 }) });
  follower.start();
  await settle();
  assert.equal(sse.connections.length, 1);
  assert.equal(sse.latest.lastId, 9, "a reconnect can then ask for what came after the newest at start");
  sse.latest.handlers.onOpen();
  sse.latest.handlers.onEvent(event(3));
  assert.deepEqual(events.map((received) => received.id), [3]);
  assert.deepEqual(states.map((state) => state.state), ["connecting", "connected"]);
  assert.equal(states.at(-1).transport, "sse");
});

test("SSE opens without an id when the newest cannot be had", async () => {
  const { follower, sse } = makeFollower({ longpoll: fakeLongPoll({ failures: 1 }) });
  follower.start();
  await settle();
  assert.equal(sse.connections.length, 1);
  assert.equal(sse.latest.lastId, null);
});

test("a closed SSE stream is reopened after a backoff, carrying the last id", async () => {
  const { follower, sse, timers, states } = makeFollower();
  follower.start();
  await settle();
  sse.latest.handlers.onOpen();
  sse.latest.handlers.onEvent(event(7));
  sse.latest.handlers.onError(true);
  assert.equal(states.at(-1).state, "reconnecting");
  assert.equal(timers.pending.length, 1, "one retry is scheduled");
  const delay = timers.runNext();
  await settle();
  assert.ok(delay >= 500 && delay <= 1000, `first retry after ${delay} ms`);
  assert.equal(sse.connections.length, 2);
  assert.equal(sse.latest.lastId, 7, "the new stream resumes after the last event");
});

test("the epoch of the last event goes with the last id, on SSE and long-poll", async () => {
  const { follower, sse, timers } = makeFollower();
  follower.start();
  await settle();
  assert.equal(sse.latest.epoch, null, "no epoch before any event");
  sse.latest.handlers.onOpen();
  sse.latest.handlers.onEvent({ ...event(7), epoch: "5f0c2a9e1b7d4c38" });
  sse.latest.handlers.onError(true);
  timers.runNext();
  await settle();
  assert.equal(sse.latest.lastId, 7);
  assert.equal(sse.latest.epoch, "5f0c2a9e1b7d4c38", "the reopened stream says which history id 7 is from");
  follower.stop();

  const longpoll = fakeLongPoll({ newest: 3 });
  const polling = makeFollower({ longpoll, mode: "longpoll" });
  polling.follower.start();
  await settle();
  longpoll.push({ ...event(4), epoch: "0123456789abcdef" });
  await settle();
  assert.deepEqual(longpoll.polls, [3, 4]);
  assert.deepEqual(longpoll.epochs, [null, "0123456789abcdef"], "the poll after an event carries its epoch");
  polling.follower.stop();
});

test("an SSE error the browser retries itself schedules nothing", async () => {
  const { follower, sse, timers, states } = makeFollower();
  follower.start();
  await settle();
  sse.latest.handlers.onOpen();
  sse.latest.handlers.onError(false);
  assert.equal(timers.pending.length, 0);
  assert.equal(sse.connections.length, 1);
  assert.equal(states.at(-1).state, "reconnecting");
});

test("SSE that never connects falls back to long-polling, carrying the last id", async () => {
  const longpoll = fakeLongPoll({ newest: 40 });
  const { follower, sse, timers, events, states } = makeFollower({ longpoll });
  follower.start(12);
  await settle();
  for (let failure = 1; failure < SSE_FAILURES_BEFORE_FALLBACK; failure++) {
    sse.latest.handlers.onError(true);
    timers.runNext();
    await settle();
  }
  sse.latest.handlers.onError(true);
  assert.ok(sse.latest.closed, "the last EventSource is closed");
  await settle();
  assert.deepEqual(longpoll.polls, [12], "the first poll carries the id the follower had");
  assert.equal(states.at(-1).transport, "longpoll");
  assert.equal(states.at(-1).state, "connected");
  longpoll.push(event(13));
  await settle();
  assert.deepEqual(events.map((received) => received.id), [13]);
  assert.deepEqual(longpoll.polls, [12, 13], "the next poll asks for what came after");
  follower.stop();
});

test("a forced SSE transport never falls back; it says offline after repeated failures", async () => {
  const longpoll = fakeLongPoll();
  const { follower, sse, timers, states } = makeFollower({ longpoll, mode: "sse" });
  follower.start();
  await settle();
  for (let failure = 1; failure <= SSE_FAILURES_BEFORE_FALLBACK + 2; failure++) {
    sse.latest.handlers.onError(true);
    timers.runNext();
    await settle();
  }
  assert.deepEqual(longpoll.polls, [], "long-polling was never tried");
  assert.equal(states.filter((state) => state.state === "offline").length >= 1, true);
  assert.ok(states.every((state) => state.transport === "sse"));
});

test("long-polling starts from the newest id and retries with growing delays", async () => {
  const longpoll = fakeLongPoll({ newest: 5, failures: FAILURES_BEFORE_OFFLINE });
  const timers = fakeTimers();
  const { follower, states } = makeFollower({ longpoll, mode: "longpoll", timers });
  follower.start();
  await settle();
  const delays = [];
  for (let failure = 1; failure <= FAILURES_BEFORE_OFFLINE; failure++) {
    await settle();
    delays.push(timers.runNext());
  }
  await settle();
  assert.deepEqual(delays, [750, 1500, 3000], "1 s, 2 s, 4 s with jitter 0.5");
  assert.equal(states.filter((state) => state.state === "offline").length, 1, "offline after the third failure");
  assert.deepEqual(longpoll.polls, [5], "polls start from the newest id");
  assert.equal(states.at(-1).state, "connected");
  follower.stop();
});

test("resume() retries at once instead of waiting out the backoff", async () => {
  const longpoll = fakeLongPoll({ newest: 2, failures: 1 });
  const timers = fakeTimers();
  const { follower } = makeFollower({ longpoll, mode: "longpoll", timers });
  follower.start();
  await settle();
  await settle();
  assert.equal(timers.pending.length, 1, "waiting after the failure");
  follower.resume();
  await settle();
  assert.deepEqual(longpoll.polls, [2], "polling again without the timer");
  follower.stop();
});

test("an unreadable event is reported and does not move the last id", async () => {
  const { follower, sse, events, states } = makeFollower();
  follower.start();
  await settle();
  sse.latest.handlers.onOpen();
  sse.latest.handlers.onEvent(event(4));
  sse.latest.handlers.onEvent(null);
  sse.latest.handlers.onEvent({ id: "x", message: 3 });
  assert.equal(events.length, 1);
  assert.equal(follower.lastId, 4);
  assert.equal(states.at(-1).state, "bad-event");
});

test("stop() closes the stream and cancels a pending retry", async () => {
  const { follower, sse, timers, states } = makeFollower();
  follower.start();
  await settle();
  sse.latest.handlers.onError(true);
  follower.stop();
  assert.ok(sse.latest.closed);
  assert.equal(timers.pending.length, 0);
  const count = states.length;
  sse.latest.handlers.onError(true);
  assert.equal(states.length, count, "no state changes after stop");
});
