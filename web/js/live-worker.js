// SPDX-License-Identifier: MIT
// The SharedWorker every tab of the page connects to (live-share.js): it
// holds the one live connection for all of them (live-hub.js).
import { LiveFollower } from "./live-follower.js";
import { LiveHub } from "./live-hub.js";
import { longPollTransport, sseTransport } from "./transports.js";

// The album this worker follows ("" for all), from the URL the page gave.
const album = new URL(globalThis.location.href).searchParams.get("album") ?? "";

const hub = new LiveHub({
  createFollower: ({ mode, ...handlers }) => new LiveFollower({
    transports: { sse: sseTransport(album), longpoll: longPollTransport(album) },
    mode,
    ...handlers,
  }),
});

globalThis.onconnect = (event) => hub.connect(event.ports[0]);
