// SPDX-License-Identifier: MIT
// Which tab leads, decided over a BroadcastChannel alone: for pages where
// neither a SharedWorker nor Web Locks exist (Web Locks need a secure
// context, so a plain-HTTP LAN address has none). The leader says "beat"
// every second; a tab that hears no beat for a while claims the lead, and
// its claim stands unless a leader answers it or a stronger claim (a newer
// term, then a higher id) is heard within a moment. A leader that closes
// says "bye", so the next one claims at once; one that crashed or froze
// is replaced after the silence. Two leaders (a frozen one waking up)
// settle it at the first beat: the stronger (newer term, then higher id)
// keeps the lead, the other steps down.
export const BEAT_MS = 1000;
export const SILENCE_MS = 3500;
export const CLAIM_MS = 400;

const realTimers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (timer) => clearTimeout(timer),
  now: () => Date.now(),
};

export class ChannelElection {
  // post(message) sends on the shared channel; onLead() and onStepDown()
  // are called as this tab gains and loses the lead.
  constructor({ post, onLead, onStepDown, timers = realTimers, random = Math.random }) {
    this.post = post;
    this.onLead = onLead;
    this.onStepDown = onStepDown;
    this.timers = timers;
    this.id = random();
    this.term = 0;
    this.leading = false;
    this.claim = null;      // { term, timer } while claiming
    this.heardAt = 0;       // when a leader was last heard
    this.watch = null;
    this.running = false;
  }

  // Joins: a leader answers the caller's hello at once; without one, this
  // tab claims after a moment.
  start() {
    this.running = true;
    this.heardAt = this.timers.now() - SILENCE_MS + CLAIM_MS;
    this.tick();
  }

  stop() {
    if (this.leading) this.post({ type: "bye", id: this.id });
    this.running = false;
    this.leading = false;
    this.cancelClaim();
    this.timers.clear(this.watch);
  }

  // Once a beat: a leader beats, a follower checks the leader is still there.
  tick() {
    if (!this.running) return;
    if (this.leading) this.beat();
    else if (!this.claim && this.timers.now() - this.heardAt >= SILENCE_MS) this.makeClaim();
    this.watch = this.timers.set(() => this.tick(), this.leading ? BEAT_MS : Math.min(BEAT_MS, CLAIM_MS));
  }

  beat() {
    this.post({ type: "beat", id: this.id, term: this.term });
  }

  makeClaim() {
    const term = this.term + 1;
    this.claim = { term, timer: this.timers.set(() => this.win(term), CLAIM_MS) };
    this.post({ type: "claim", id: this.id, term });
  }

  cancelClaim() {
    if (!this.claim) return;
    this.timers.clear(this.claim.timer);
    this.claim = null;
  }

  win(term) {
    this.claim = null;
    if (!this.running) return;
    this.term = term;
    this.leading = true;
    this.beat();
    this.onLead();
  }

  // Is (term, id) stronger than this tab's own (term, id)?
  outranks(term, id, ownTerm) {
    return term > ownTerm || (term === ownTerm && id > this.id);
  }

  // A message on the channel of one of these types: beat, claim, bye.
  hear(message) {
    if (!this.running) return;
    if (message.type === "beat") this.hearBeat(message);
    else if (message.type === "claim") this.hearClaim(message);
    else if (message.type === "bye" && !this.leading) {
      this.heardAt = -Infinity;   // claim now, not after the silence
      if (!this.claim) this.makeClaim();
    }
  }

  hearBeat({ id, term }) {
    if (this.leading && !this.outranks(term, id, this.term)) return;
    this.heardAt = this.timers.now();
    this.term = Math.max(this.term, term);
    this.cancelClaim();
    if (this.leading) {
      this.leading = false;
      this.onStepDown();
    }
  }

  hearClaim({ id, term }) {
    if (this.leading) {
      this.beat();   // still here: the claim falls
      return;
    }
    if (this.claim && this.outranks(term, id, this.claim.term)) {
      this.cancelClaim();
      this.heardAt = this.timers.now();   // give the stronger claim its time
    }
  }
}
