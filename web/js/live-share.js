// SPDX-License-Identifier: MIT
// One live connection for all the page's tabs, in any context. Browsers
// give a host six HTTP/1.1 connections, so a seventh tab each holding its
// own stream would not even load. In order of preference:
// - a SharedWorker (live-worker.js, in secure and plain-HTTP pages alike)
//   holds the one connection and sends every event to each tab
//   (role "shared");
// - else one tab leads, chosen by the Web Lock "rndimg-live" (secure
//   contexts) or by an election over the BroadcastChannel
//   (live-election.js): the leader follows the server and relays each
//   event and state change on the channel, the others only listen
//   ("leader", "follower"). When the leader goes away, another takes over
//   from the last id it heard, so the server replays whatever was
//   published in between and no picture is missed;
// - else the tab follows on its own ("alone"), and gives its connection
//   up while hidden for a while, so rndimg alone never holds the
//   browser's last connections; back in view, it carries on from its
//   last id.
// Retry (resume) works from any tab.
import { ChannelElection } from "./live-election.js";
import { ALIVE_MS } from "./live-hub.js";

const LOCK_NAME = "rndimg-live";
const CHANNEL_NAME = "rndimg-live";
export const HIDDEN_GIVE_UP_MS = 10000;

const realTimers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (timer) => clearTimeout(timer),
  now: () => Date.now(),
};

// The page's shared worker, one per transport mode and album ("" for
// all); null where there is none.
function browserWorker(mode) {
  if (!globalThis.SharedWorker) return null;
  return (scope = "") => new SharedWorker(
    new URL(`./live-worker.js${scope ? `?album=${encodeURIComponent(scope)}` : ""}`, import.meta.url),
    { type: "module", name: `rndimg-live-${mode}${scope ? `-${scope}` : ""}` });
}

// Tabs following different albums share only with tabs of their album.
function scoped(name, scope) {
  return scope ? `${name}:${scope}` : name;
}

export class LiveShare {
  // createFollower({ onEvent, onState }) → a LiveFollower for this tab;
  // onRole("shared" | "leader" | "follower" | "alone" | "off"). The
  // worker, locks and channels are the browser's unless a test gives its
  // own (null: there is none); openWorker() → { port, onerror }.
  constructor({
    createFollower, onEvent, onState, onRole, mode = "auto",
    openWorker = browserWorker(mode),
    locks = globalThis.navigator?.locks,
    openChannel = globalThis.BroadcastChannel && ((name) => new BroadcastChannel(name)),
    timers = realTimers,
    random = Math.random,
  }) {
    Object.assign(this, { createFollower, onEvent, onState, onRole, mode, openWorker, locks, openChannel, timers, random });
    this.role = "off";
    this.lastId = null;
    this.lastState = null;
    this.follower = null;
    this.channel = null;
    this.port = null;
    this.alive = null;
    this.election = null;
    this.abort = null;
    this.release = null;
    this.hidden = false;
    this.giveUp = null;
    this.scope = "";
  }

  // What is followed ("" or an album): call while stopped.
  setScope(scope) {
    this.scope = scope;
    this.lastId = null;
  }

  start() {
    if (this.role !== "off") return;
    if (this.openWorker && this.joinWorker()) return;
    if (!this.openChannel) {
      this.lead("alone");   // nothing to share with: follow on our own
      if (this.hidden) this.setHidden(true);
      return;
    }
    this.channel = this.openChannel(scoped(CHANNEL_NAME, this.scope));
    this.channel.onmessage = (message) => this.hear(message.data);
    this.setRole("follower");
    this.post({ type: "hello" });
    if (this.locks) {
      this.abort = new AbortController();
      this.locks.request(scoped(LOCK_NAME, this.scope), { signal: this.abort.signal }, () => this.lead("leader"))
        .catch(() => {});   // aborted by stop() while waiting: nothing to do
      return;
    }
    this.election = new ChannelElection({
      post: (message) => this.post(message),
      onLead: () => this.lead("leader"),
      onStepDown: () => this.follow(),
      timers: this.timers,
      random: this.random,
    });
    this.election.start();
  }

  stop() {
    if (this.port) {
      this.port.postMessage({ type: "stop" });
      this.leaveWorker();
    }
    this.election?.stop();
    this.election = null;
    this.abort?.abort();
    this.timers.clear(this.giveUp);
    this.follower?.stop();
    this.follower = null;
    this.release?.();
    this.release = null;
    this.channel?.close();
    this.channel = null;
    this.lastState = null;
    this.setRole("off");
  }

  // The tab goes away for good (pagehide): the worker forgets it at once.
  close() {
    this.port?.postMessage({ type: "bye" });
    this.stop();
  }

  // Reconnect now (Retry, back online, awake again): whoever holds the
  // connection does it; a following tab asks the leader to.
  resume() {
    if (this.role === "shared") this.port.postMessage({ type: "resume" });
    else if (this.follower) this.follower.resume();
    else if (this.role === "alone") this.wake();
    else if (this.role === "follower") this.post({ type: "resume" });
  }

  // The tab was hidden or shown. Alone, a hidden tab gives its connection
  // up after HIDDEN_GIVE_UP_MS and takes it again when shown.
  setHidden(hidden) {
    this.hidden = hidden;
    this.timers.clear(this.giveUp);
    this.giveUp = null;
    if (this.role !== "alone") return;
    if (!hidden) this.wake();
    else if (this.follower) this.giveUp = this.timers.set(() => this.sleep(), HIDDEN_GIVE_UP_MS);
  }

  sleep() {
    this.giveUp = null;
    this.follower?.stop();
    this.follower = null;
  }

  wake() {
    if (this.follower) return;
    this.follower = this.makeFollower();
    this.follower.start(this.lastId);
  }

  joinWorker() {
    let worker;
    try {
      worker = this.openWorker(this.scope);
    } catch {
      this.openWorker = null;   // refused (a policy, a private mode): share otherwise
      return false;
    }
    // A worker that cannot run (its script failed): share otherwise.
    worker.onerror = () => {
      if (this.port !== worker.port) return;
      this.leaveWorker();
      this.openWorker = null;
      this.setRole("off");
      this.start();
    };
    this.port = worker.port;
    this.port.onmessage = (message) => this.hear(message.data);
    this.port.postMessage({ type: "start", mode: this.mode, lastId: this.lastId });
    this.alive = this.timers.set(() => this.sayAlive(), ALIVE_MS);
    this.setRole("shared");
    return true;
  }

  sayAlive() {
    this.port?.postMessage({ type: "alive" });
    if (this.port) this.alive = this.timers.set(() => this.sayAlive(), ALIVE_MS);
  }

  leaveWorker() {
    this.timers.clear(this.alive);
    this.alive = null;
    this.port.onmessage = null;
    this.port.close?.();
    this.port = null;
  }

  makeFollower() {
    return this.createFollower({
      onEvent: (event) => {
        this.lastId = event.id;
        this.post({ type: "event", event });
        this.onEvent(event);
      },
      onState: (state) => {
        this.lastState = state;
        this.post({ type: "state", state });
        this.onState(state);
      },
    });
  }

  // Follows the server for the tabs (role "leader") or for itself
  // ("alone"). With Web Locks, the lock is held until the returned
  // promise settles (stop()) or the tab goes away.
  lead(role) {
    this.setRole(role);
    this.follower = this.makeFollower();
    this.follower.start(this.lastId);
    return new Promise((resolve) => { this.release = resolve; });
  }

  // Another tab leads now (an election settled against this one).
  follow() {
    this.follower?.stop();
    this.follower = null;
    this.setRole("follower");
  }

  hear(message) {
    if (this.election && ["beat", "claim", "bye"].includes(message.type)) {
      this.election.hear(message);
      return;
    }
    if (this.role === "leader") {
      if (message.type === "hello" && this.lastState) this.post({ type: "state", state: this.lastState });
      if (message.type === "hello") this.election?.beat();
      if (message.type === "resume") this.follower.resume();
      return;
    }
    if (message.type === "event") {
      this.lastId = message.event.id;
      this.onEvent(message.event);
    } else if (message.type === "state") {
      this.lastState = message.state;
      this.onState(message.state);
    }
  }

  post(message) {
    this.channel?.postMessage(message);
  }

  setRole(role) {
    this.role = role;
    this.onRole(role);
  }
}
