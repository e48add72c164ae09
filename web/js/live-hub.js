// SPDX-License-Identifier: MIT
// The shared worker's side of tab sharing (live-worker.js runs it): one
// live follower for every tab of the page in this browser, whatever the
// context (SharedWorker exists on plain HTTP too). Each tab connects a
// port and says start, stop, resume or bye; the hub follows the server
// while at least one tab has Live on, sends each event and state to
// those tabs, and tells a tab that starts the current state at once. The
// follower keeps its last id across stops, so following again later
// replays what was published in between.
export const ALIVE_MS = 20000;
// Tabs say "alive" every ALIVE_MS; a port silent far longer belonged to a
// tab that crashed (a hidden tab's timers may run only once a minute).
export const PORT_SILENCE_MS = 180000;

const realTimers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (timer) => clearTimeout(timer),
  now: () => Date.now(),
};

export class LiveHub {
  // createFollower({ mode, onEvent, onState }) → a LiveFollower.
  constructor({ createFollower, timers = realTimers }) {
    this.createFollower = createFollower;
    this.timers = timers;
    this.tabs = new Map();   // port → { live, heardAt }
    this.follower = null;
    this.lastId = null;
    this.lastState = null;
    this.sweeper = null;
  }

  connect(port) {
    this.tabs.set(port, { live: false, heardAt: this.timers.now() });
    port.onmessage = (message) => this.hear(port, message.data);
    if (!this.sweeper) this.sweeper = this.timers.set(() => this.sweep(), PORT_SILENCE_MS);
  }

  hear(port, message) {
    const tab = this.tabs.get(port);
    if (!tab) return;
    tab.heardAt = this.timers.now();
    if (message.type === "start") this.startTab(port, tab, message);
    else if (message.type === "stop") this.leave(tab);
    else if (message.type === "bye") this.forget(port);
    else if (message.type === "resume") this.follower?.resume();
  }

  startTab(port, tab, { mode, lastId }) {
    tab.live = true;
    if (!this.follower) {
      this.follow(mode, Number.isInteger(lastId) && this.lastId === null ? lastId : this.lastId);
    } else if (this.lastState) {
      port.postMessage({ type: "state", state: this.lastState });
    }
  }

  forget(port) {
    this.tabs.delete(port);
    this.followOnlyIfWanted();
  }

  leave(tab) {
    tab.live = false;
    this.followOnlyIfWanted();
  }

  follow(mode, lastId) {
    this.follower = this.createFollower({
      mode,
      onEvent: (event) => {
        this.lastId = event.id;
        this.send({ type: "event", event });
      },
      onState: (state) => {
        this.lastState = state;
        this.send({ type: "state", state });
      },
    });
    this.follower.start(lastId);
  }

  // Stops following when no tab has Live on.
  followOnlyIfWanted() {
    if (!this.follower || [...this.tabs.values()].some((tab) => tab.live)) return;
    this.follower.stop();
    this.follower = null;
    this.lastState = null;
  }

  send(message) {
    for (const [port, tab] of this.tabs) {
      if (tab.live) port.postMessage(message);
    }
  }

  sweep() {
    const now = this.timers.now();
    for (const [port, tab] of this.tabs) {
      if (now - tab.heardAt > PORT_SILENCE_MS) this.tabs.delete(port);
    }
    this.followOnlyIfWanted();
    this.sweeper = this.tabs.size ? this.timers.set(() => this.sweep(), PORT_SILENCE_MS) : null;
  }
}
