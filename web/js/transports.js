// SPDX-License-Identifier: MIT
// The network side of Live mode: an EventSource on /events and the
// long-poll requests, in the shape live-follower.js expects.
import { API, getJson } from "./api.js";

export function sseTransport() {
  if (!("EventSource" in globalThis)) return null;
  return {
    open(lastId, handlers) {
      const query = lastId !== null ? `?lastEventId=${lastId}` : "";
      const source = new EventSource(`${API}/events${query}`);
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

export const longPollTransport = {
  async newestId(signal) {
    const stats = await getJson(`${API}/stats`, { signal });
    return stats.newest_id;
  },
  poll(since, signal) {
    const after = since !== null ? `since=${since}&` : "";
    return getJson(`${API}/rndimg/poll?${after}timeout=${POLL_TIMEOUT_SECONDS}`, { signal });
  },
};
