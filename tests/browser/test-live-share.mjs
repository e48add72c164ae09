// SPDX-License-Identifier: MIT
// Unit tests of web/js/live-share.js (one live connection for all tabs)
// with a fake Web Locks manager, a fake BroadcastChannel and fake
// followers: several "tabs" in one process, no browser.
import { test } from "node:test";
import assert from "node:assert/strict";
import { LiveShare } from "../../web/js/live-share.js";

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

// A tab: its LiveShare, what it was told, and the followers it created.
function makeTab(locks, openChannel) {
  const tab = { events: [], states: [], roles: [], followers: [] };
  tab.share = new LiveShare({
    locks,
    openChannel,
    createFollower: (handlers) => {
      const follower = {
        handlers, startedFrom: undefined, resumes: 0, stopped: false,
        start(lastId) { this.startedFrom = lastId; },
        stop() { this.stopped = true; },
        resume() { this.resumes++; },
      };
      tab.followers.push(follower);
      return follower;
    },
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

test("without Web Locks a tab follows on its own", async () => {
  const tab = makeTab(null, null);
  tab.share.start();
  assert.equal(tab.share.role, "leader");
  assert.equal(tab.followers.length, 1);
  tab.share.stop();
  assert.ok(tab.followers[0].stopped);
});
