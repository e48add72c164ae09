// SPDX-License-Identifier: MIT
// The network side of Live mode: an EventSource on /events and the
// long-poll requests, in the shape live-follower.js expects.
import { API, getJson } from "./api.js";

function epochParam(epoch) {
  return typeof epoch === "string" ? `&epoch=${encodeURIComponent(epoch)}` : "";
}

function albumParam(album) {
  return album ? `&album=${encodeURIComponent(album)}` : "";
}

// album: only that album's pictures ("" for all).
export function sseTransport(album = "") {
  if (!("EventSource" in globalThis)) return null;
  return {
    // epoch: the history lastId belongs to, so a server of another epoch
    // replays its own instead of waiting for an id that will not come.
    open(lastId, handlers, epoch = null) {
      const query = `${lastId !== null ? `&lastEventId=${lastId}${epochParam(epoch)}` : ""}${albumParam(album)}`;
      const source = new EventSource(`${API}/events${query ? `?${query.slice(1)}` : ""}`);
      source.onopen = () => handlers.onOpen();
      source.addEventListener("image", (message) => {
        let event = null;
        try {
          event = JSON.parse(message.data);
        } catch {
          // left null: the follower reports an unreadable event
        }
        handlers.onEvent(event);
      });
      source.onerror = () => handlers.onError(source.readyState === EventSource.CLOSED);
      return { close: () => source.close() };
    },
  };
}

const POLL_TIMEOUT_SECONDS = 25;

export function longPollTransport(album = "") {
  return {
    async newestId(signal) {
      const stats = await getJson(`${API}/stats`, { signal });
      return stats.newest_id;
    },
    poll(since, signal, epoch = null) {
      const after = since !== null ? `since=${since}${epochParam(epoch)}&` : "";
      return getJson(`${API}/rndimg/poll?${after}timeout=${POLL_TIMEOUT_SECONDS}${albumParam(album)}`, { signal });
    },
  };
}
