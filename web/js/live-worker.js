// SPDX-License-Identifier: MIT
// The SharedWorker every tab of the page connects to (live-share.js): it
// holds the one live connection for all of them (live-hub.js).
import { LiveFollower } from "./live-follower.js";
import { LiveHub } from "./live-hub.js";
import { longPollTransport, sseTransport } from "./transports.js";

const hub = new LiveHub({
  createFollower: ({ mode, ...handlers }) => new LiveFollower({
    transports: { sse: sseTransport(), longpoll: longPollTransport },
    mode,
    ...handlers,
  }),
});

globalThis.onconnect = (event) => hub.connect(event.ports[0]);
