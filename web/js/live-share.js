// SPDX-License-Identifier: MIT
// One live connection for all the page's tabs. Browsers give a host six
// HTTP/1.1 connections, so a seventh tab each holding its own stream would
// stall. Every tab with Live on asks for the Web Lock "rndimg-live"; the
// one holding it leads: it follows the server and relays each event and
// state change on a BroadcastChannel, while the others only listen. When
// the leader goes away (tab closed, Live off), the lock passes to a waiting
// tab, which carries on from the last id it heard, so the server replays
// whatever was published in between and no picture is missed.
const LOCK_NAME = "rndimg-live";
const CHANNEL_NAME = "rndimg-live";

// Tabs following different albums share only with tabs of their album.
function scoped(name, scope) {
  return scope ? `${name}:${scope}` : name;
}

export class LiveShare {
  // createFollower({ onEvent, onState }) → a LiveFollower;
  // onRole("leader" | "follower" | "off"). locks and openChannel are the
  // browser's unless a test gives its own.
  constructor({
    createFollower, onEvent, onState, onRole,
    locks = globalThis.navigator?.locks,
    openChannel = globalThis.BroadcastChannel && ((name) => new BroadcastChannel(name)),
  }) {
    this.createFollower = createFollower;
    this.locks = locks;
    this.openChannel = openChannel;
    this.onEvent = onEvent;
    this.onState = onState;
    this.onRole = onRole;
    this.role = "off";
    this.lastId = null;
    this.lastState = null;
    this.follower = null;
    this.channel = null;
    this.abort = null;
    this.release = null;
    this.scope = "";
  }

  // What is followed ("" or an album): call while stopped.
  setScope(scope) {
    this.scope = scope;
    this.lastId = null;
  }

  start() {
    if (this.role !== "off") return;
    if (!this.locks || !this.openChannel) {
      this.lead();   // nothing to share with: follow on our own
      return;
    }
    this.channel = this.openChannel(scoped(CHANNEL_NAME, this.scope));
    this.channel.onmessage = (message) => this.hear(message.data);
    this.setRole("follower");
    this.channel.postMessage({ type: "hello" });
    this.abort = new AbortController();
    this.locks.request(scoped(LOCK_NAME, this.scope), { signal: this.abort.signal }, () => this.lead())
      .catch(() => {});   // aborted by stop() while waiting: nothing to do
  }

  stop() {
    this.abort?.abort();
    this.follower?.stop();
    this.follower = null;
    this.release?.();
    this.release = null;
    this.channel?.close();
    this.channel = null;
    this.lastState = null;
    this.setRole("off");
  }

  // Reconnect now (Retry, back online, awake again): the leader does it;
  // a following tab asks the leader to.
  resume() {
    if (this.role === "leader") this.follower.resume();
    else if (this.role === "follower") this.post({ type: "resume" });
  }

  // Runs while this tab holds the lock; the lock is released when the
  // returned promise settles (stop()) or the tab goes away.
  lead() {
    this.setRole("leader");
    this.follower = this.createFollower({
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
    this.follower.start(this.lastId);
    return new Promise((resolve) => { this.release = resolve; });
  }

  hear(message) {
    if (this.role === "leader") {
      if (message.type === "hello" && this.lastState) this.post({ type: "state", state: this.lastState });
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
