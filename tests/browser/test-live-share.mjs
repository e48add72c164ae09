// SPDX-License-Identifier: MIT
// Unit tests of web/js/live-share.js (one live connection for all tabs)
// with a fake Web Locks manager, a fake BroadcastChannel, fake timers, a
// shared worker made of the real LiveHub behind fake ports, and fake
// followers: several "tabs" in one process, no browser.
import { test } from "node:test";
import assert from "node:assert/strict";
import { HIDDEN_GIVE_UP_MS, LiveShare } from "../../web/js/live-share.js";
import { BEAT_MS, CLAIM_MS, SILENCE_MS } from "../../web/js/live-election.js";
import { LiveHub } from "../../web/js/live-hub.js";

// Grants one lock at a time, in request order, as navigator.locks does.
function fakeLocks() {
  const queue = [];
  let holder = null;
  const grant = () => {
    if (holder || !queue.length) return;
    holder = queue.shift();
    Promise.resolve(holder.callback()).then((value) => {
      const done = holder;
      holder = null;
      done.resolve(value);
      grant();
    });
  };
  return {
    request(name, { signal }, callback) {
      return new Promise((resolve, reject) => {
        const waiter = { callback, resolve };
        signal.addEventListener("abort", () => {
          const index = queue.indexOf(waiter);
          if (index < 0) return;
          queue.splice(index, 1);
          reject(new DOMException("aborted", "AbortError"));
        });
        queue.push(waiter);
        grant();
      });
    },
  };
}

// Channels of one name that deliver to every other open one, later.
function fakeChannels() {
  const open = new Set();
  return (name) => {
    const channel = {
      name,
      onmessage: null,
      postMessage(data) {
        for (const other of open) {
          if (other !== channel && other.name === name) {
            setImmediate(() => other.onmessage?.({ data: structuredClone(data) }));
          }
        }
      },
      close() { open.delete(channel); },
    };
    open.add(channel);
    return channel;
  };
}

const settle = async () => {
  for (let round = 0; round < 5; round++) await new Promise((resolve) => setImmediate(resolve));
};

// Timers that run only when the test moves the clock on.
function fakeTimers() {
  let now = 0;
  let next = 1;
  const pending = new Map();
  return {
    set(callback, ms) {
      pending.set(next, { at: now + ms, callback });
      return next++;
    },
    clear(id) { pending.delete(id); },
    now: () => now,
    // Runs every timer due within ms, in order, letting messages through
    // after each.
    async advance(ms) {
      const end = now + ms;
      for (;;) {
        await settle();
        const due = [...pending.entries()].filter(([, timer]) => timer.at <= end)
          .sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        pending.delete(due[0]);
        now = due[1].at;
        due[1].callback();
      }
      now = end;
      await settle();
    },
  };
}

function fakeFollower(handlers, list) {
  const follower = {
    handlers, startedFrom: undefined, resumes: 0, stopped: false,
    start(lastId) { this.startedFrom = lastId; },
    stop() { this.stopped = true; },
    resume() { this.resumes++; },
  };
  list.push(follower);
  return follower;
}

// A tab: its LiveShare, what it was told, and the followers it created.
function makeTab(locks, openChannel, extra = {}) {
  const tab = { events: [], states: [], roles: [], followers: [] };
  let ids = 0;
  tab.share = new LiveShare({
    locks,
    openChannel,
    openWorker: null,
    timers: fakeTimers(),
    random: () => ++ids / 1000 + Math.random() / 1000,
    ...extra,
    createFollower: (handlers) => fakeFollower(handlers, tab.followers),
    onEvent: (event) => tab.events.push(event.id),
    onState: (state) => tab.states.push(state.state),
    onRole: (role) => tab.roles.push(role),
  });
  return tab;
}

function makeTabs(count) {
  const locks = fakeLocks();
  const openChannel = fakeChannels();
  return Array.from({ length: count }, () => makeTab(locks, openChannel));
}

const event = (id) => ({ id, message: `http://x/static/img/0${id}.png` });

test("the first tab leads and follows the server; the others only listen and get every event", async () => {
  const tabs = makeTabs(3);
  for (const tab of tabs) tab.share.start();
  await settle();
  assert.deepEqual(tabs.map((tab) => tab.share.role), ["leader", "follower", "follower"]);
  assert.deepEqual(tabs.map((tab) => tab.followers.length), [1, 0, 0], "one connection in all");
  const leader = tabs[0].followers[0];
  leader.handlers.onState({ state: "connected", transport: "sse" });
  leader.handlers.onEvent(event(1));
  leader.handlers.onEvent(event(2));
  await settle();
  for (const tab of tabs) {
    assert.deepEqual(tab.events, [1, 2]);
    assert.equal(tab.states.at(-1), "connected");
  }
});

test("a tab opened later is told the state at once", async () => {
  const tabs = makeTabs(2);
  tabs[0].share.start();
  await settle();
  tabs[0].followers[0].handlers.onState({ state: "connected", transport: "sse" });
  tabs[1].share.start();
  await settle();
  assert.deepEqual(tabs[1].states, ["connected"]);
});

test("when the leader goes, the next tab takes over from the last id it heard", async () => {
  const tabs = makeTabs(3);
  for (const tab of tabs) tab.share.start();
  await settle();
  tabs[0].followers[0].handlers.onEvent(event(7));
  await settle();
  tabs[0].share.stop();
  await settle();
  assert.ok(tabs[0].followers[0].stopped, "the old leader's connection is closed");
  assert.deepEqual(tabs.slice(1).map((tab) => tab.share.role), ["leader", "follower"]);
  assert.equal(tabs[1].followers[0].startedFrom, 7, "the new leader resumes after event 7");
  tabs[1].followers[0].handlers.onEvent(event(8));
  await settle();
  assert.deepEqual(tabs[2].events, [7, 8]);
  assert.deepEqual(tabs[0].events, [7], "a stopped tab hears nothing more");
});

test("Retry in a following tab makes the leader reconnect", async () => {
  const tabs = makeTabs(2);
  for (const tab of tabs) tab.share.start();
  await settle();
  tabs[1].share.resume();
  await settle();
  assert.equal(tabs[0].followers[0].resumes, 1);
  tabs[0].share.resume();
  assert.equal(tabs[0].followers[0].resumes, 2);
});

test("a tab that stops while waiting never leads", async () => {
  const tabs = makeTabs(2);
  for (const tab of tabs) tab.share.start();
  await settle();
  tabs[1].share.stop();
  tabs[0].share.stop();
  await settle();
  assert.deepEqual(tabs[1].roles, ["follower", "off"]);
  assert.equal(tabs[1].followers.length, 0);
});

test("with neither a worker nor a channel a tab follows on its own", async () => {
  const tab = makeTab(null, null);
  tab.share.start();
  assert.equal(tab.share.role, "alone");
  assert.equal(tab.followers.length, 1);
  tab.share.stop();
  assert.ok(tab.followers[0].stopped);
});

// ---- the election over the channel (no Web Locks: a plain-HTTP page) ----

function electingTabs(count) {
  const openChannel = fakeChannels();
  const timers = fakeTimers();
  const tabs = Array.from({ length: count }, () => makeTab(null, openChannel, { timers }));
  return { tabs, timers };
}

const leaders = (tabs) => tabs.filter((tab) => tab.share.role === "leader");
const openConnections = (tabs) => tabs.flatMap((tab) => tab.followers).filter((f) => !f.stopped).length;

test("without Web Locks, the tabs elect one leader over the channel", async () => {
  const { tabs, timers } = electingTabs(8);
  for (const tab of tabs) tab.share.start();
  await timers.advance(CLAIM_MS * 3);
  assert.equal(leaders(tabs).length, 1, `one leader: ${tabs.map((tab) => tab.share.role)}`);
  assert.equal(openConnections(tabs), 1, "one connection in all");
  await timers.advance(SILENCE_MS * 5);
  assert.equal(leaders(tabs).length, 1, "the heartbeats keep the same leader");
  assert.equal(openConnections(tabs), 1);
  const leader = leaders(tabs)[0];
  leader.followers.at(-1).handlers.onEvent(event(3));
  await settle();
  for (const tab of tabs) assert.deepEqual(tab.events, [3]);
});

test("a tab that joins later follows the leader there is", async () => {
  const { tabs, timers } = electingTabs(3);
  tabs[0].share.start();
  await timers.advance(CLAIM_MS * 3);
  assert.equal(tabs[0].share.role, "leader");
  tabs[1].share.start();
  tabs[2].share.start();
  await timers.advance(SILENCE_MS * 3);
  assert.deepEqual(tabs.map((tab) => tab.share.role), ["leader", "follower", "follower"]);
});

test("a leader that closes says bye, and another takes over at once from the last id", async () => {
  const { tabs, timers } = electingTabs(4);
  for (const tab of tabs) tab.share.start();
  await timers.advance(CLAIM_MS * 3);
  const [leader] = leaders(tabs);
  leader.followers.at(-1).handlers.onEvent(event(5));
  await settle();
  leader.share.stop();
  await timers.advance(CLAIM_MS * 2);   // far less than the silence
  const rest = tabs.filter((tab) => tab !== leader);
  assert.equal(leaders(rest).length, 1);
  const next = leaders(rest)[0];
  assert.equal(next.followers.at(-1).startedFrom, 5, "the new leader resumes after event 5");
  next.followers.at(-1).handlers.onEvent(event(6));
  await settle();
  for (const tab of rest) assert.deepEqual(tab.events, [5, 6]);
});

test("a leader that crashed (silent, no bye) is replaced after the silence", async () => {
  const { tabs, timers } = electingTabs(3);
  for (const tab of tabs) tab.share.start();
  await timers.advance(CLAIM_MS * 3);
  const [leader] = leaders(tabs);
  leader.followers.at(-1).handlers.onEvent(event(9));
  await settle();
  // The crash: its channel goes quiet and its timers never run again.
  leader.share.election.running = false;
  leader.share.channel.close();
  leader.share.channel.onmessage = null;
  const rest = tabs.filter((tab) => tab !== leader);
  await timers.advance(SILENCE_MS + CLAIM_MS * 3);
  assert.equal(leaders(rest).length, 1);
  assert.equal(leaders(rest)[0].followers.at(-1).startedFrom, 9);
});

test("a claim made while the leader lives (a throttled follower) falls", async () => {
  const { tabs, timers } = electingTabs(2);
  for (const tab of tabs) tab.share.start();
  await timers.advance(CLAIM_MS * 3);
  const [leader] = leaders(tabs);
  const other = tabs.find((tab) => tab !== leader);
  other.share.election.makeClaim();
  await timers.advance(CLAIM_MS * 2);
  assert.equal(leader.share.role, "leader");
  assert.equal(other.share.role, "follower");
  assert.equal(openConnections(tabs), 1);
});

test("two leaders (a frozen one waking up) settle on one at the first beat", async () => {
  const { tabs, timers } = electingTabs(2);
  tabs[0].share.start();
  await timers.advance(CLAIM_MS * 3);
  // Tab 1 elected itself while tab 0 was frozen and heard nothing.
  tabs[1].share.start();
  const frozen = tabs[0].share.channel.onmessage;
  tabs[0].share.channel.onmessage = null;
  tabs[0].share.election.running = false;
  await timers.advance(SILENCE_MS * 2);
  assert.equal(tabs[1].share.role, "leader");
  tabs[0].share.channel.onmessage = frozen;
  tabs[0].share.election.running = true;
  tabs[0].share.election.tick();
  await timers.advance(BEAT_MS * 3);
  assert.deepEqual(tabs.map((tab) => tab.share.role).sort(), ["follower", "leader"]);
  assert.equal(openConnections(tabs), 1, "the other leader's connection is closed");
});

test("Retry in a following tab reaches the elected leader", async () => {
  const { tabs, timers } = electingTabs(2);
  for (const tab of tabs) tab.share.start();
  await timers.advance(CLAIM_MS * 3);
  const [leader] = leaders(tabs);
  tabs.find((tab) => tab !== leader).share.resume();
  await settle();
  assert.equal(leader.followers.at(-1).resumes, 1);
});

// ---- the shared worker ----

// A SharedWorker made of the real LiveHub; ports deliver later, as
// MessagePorts do.
function fakeWorker() {
  const hubFollowers = [];
  const hub = new LiveHub({
    createFollower: (handlers) => fakeFollower(handlers, hubFollowers),
    timers: fakeTimers(),
  });
  const open = () => {
    const tabSide = { onmessage: null, closed: false };
    const hubSide = { onmessage: null };
    tabSide.postMessage = (data) => setImmediate(() => hubSide.onmessage?.({ data: structuredClone(data) }));
    tabSide.close = () => { tabSide.closed = true; };
    hubSide.postMessage = (data) => setImmediate(() => {
      if (!tabSide.closed) tabSide.onmessage?.({ data: structuredClone(data) });
    });
    hub.connect(hubSide);
    return { port: tabSide, onerror: null };
  };
  return { hub, hubFollowers, open };
}

test("with a shared worker, every tab is served by the worker's one connection", async () => {
  const worker = fakeWorker();
  const tabs = Array.from({ length: 8 }, () => makeTab(null, null, { openWorker: worker.open }));
  for (const tab of tabs) tab.share.start();
  await settle();
  assert.deepEqual(new Set(tabs.map((tab) => tab.share.role)), new Set(["shared"]));
  assert.equal(tabs.flatMap((tab) => tab.followers).length, 0, "no tab follows by itself");
  assert.equal(worker.hubFollowers.length, 1, "one connection in all");
  const follower = worker.hubFollowers[0];
  follower.handlers.onState({ state: "connected", transport: "sse" });
  follower.handlers.onEvent(event(1));
  await settle();
  for (const tab of tabs) {
    assert.deepEqual(tab.events, [1]);
    assert.equal(tab.states.at(-1), "connected");
  }
  // Any tab closing, the first included, leaves the connection to the rest.
  tabs[0].share.close();
  follower.handlers.onEvent(event(2));
  await settle();
  assert.ok(!follower.stopped);
  assert.deepEqual(tabs[0].events, [1]);
  for (const tab of tabs.slice(1)) assert.deepEqual(tab.events, [1, 2]);
  tabs[3].share.resume();
  await settle();
  assert.equal(follower.resumes, 1, "Retry from any tab");
  for (const tab of tabs.slice(1)) tab.share.stop();
  await settle();
  assert.ok(follower.stopped, "no tab live: the connection closes");
});

test("a tab that turns Live on later gets the worker's state at once, and a new connection resumes", async () => {
  const worker = fakeWorker();
  const [first, second] = [0, 1].map(() => makeTab(null, null, { openWorker: worker.open }));
  first.share.start();
  await settle();
  worker.hubFollowers[0].handlers.onState({ state: "connected", transport: "sse" });
  worker.hubFollowers[0].handlers.onEvent(event(4));
  second.share.start();
  await settle();
  assert.deepEqual(second.states, ["connected"]);
  first.share.stop();
  second.share.stop();
  await settle();
  first.share.start();
  await settle();
  assert.equal(worker.hubFollowers.length, 2);
  assert.equal(worker.hubFollowers[1].startedFrom, 4, "following again replays after event 4");
});

test("a worker that fails to run: the tabs share over the channel instead", async () => {
  const openChannel = fakeChannels();
  const timers = fakeTimers();
  let worker;
  const tab = makeTab(null, openChannel, {
    timers,
    openWorker: () => (worker = { port: { postMessage() {}, close() {} }, onerror: null }),
  });
  tab.share.start();
  assert.equal(tab.share.role, "shared");
  worker.onerror();
  await timers.advance(CLAIM_MS * 3);
  assert.equal(tab.share.role, "leader");
  assert.equal(tab.followers.length, 1);
});

// ---- alone ----

test("alone, a hidden tab gives its connection up after a while and resumes when shown", async () => {
  const timers = fakeTimers();
  const tab = makeTab(null, null, { timers });
  tab.share.start();
  tab.followers[0].handlers.onEvent(event(11));
  tab.share.setHidden(true);
  await timers.advance(HIDDEN_GIVE_UP_MS - 1);
  assert.ok(!tab.followers[0].stopped, "a short look away keeps it");
  await timers.advance(1);
  assert.ok(tab.followers[0].stopped, "given up");
  tab.share.setHidden(false);
  assert.equal(tab.followers.length, 2);
  assert.equal(tab.followers[1].startedFrom, 11, "back in view, it resumes after event 11");
});
