// SPDX-License-Identifier: MIT
// The network side of Live mode: an EventSource on /events and the
// long-poll requests, in the shape live-follower.js expects. The tab's
// credential goes as ?access_token= on the stream (an EventSource cannot
// send a header) and as a header on the polls (getJson).
import { API, currentToken, getJson } from "./api.js";

// What a stream's frames are named by: a published picture's "image", the
// others by their type (docs/api.md, "Events").
const STREAM_EVENTS = ["image", "removed", "changed", "moved", "album-changed", "album-removed"];

function addAccessToken(query) {
  const token = currentToken();
  if (token) query.set("access_token", token);
  return query;
}

// What tabs share Live with: tabs of the same album and credential. The
// credential is named by a hash (FNV-1a), not given away in the names of
// channels and locks.
export function liveScope(album) {
  const token = currentToken();
  let hash = 0x811c9dc5;
  for (let i = 0; i < token.length; i++) hash = Math.imul(hash ^ token.charCodeAt(i), 0x01000193);
  return token ? `${album}~${(hash >>> 0).toString(16)}` : album;
}

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
      const query = addAccessToken(new URLSearchParams(
        `${lastId !== null ? `&lastEventId=${lastId}${epochParam(epoch)}` : ""}${albumParam(album)}`)).toString();
      const source = new EventSource(`${API}/events${query ? `?${query}` : ""}`);
      source.onopen = () => handlers.onOpen();
      const deliver = (message) => {
        let event = null;
        try {
          event = JSON.parse(message.data);
        } catch {
          // left null: the follower reports an unreadable event
        }
        handlers.onEvent(event);
      };
      for (const name of STREAM_EVENTS) source.addEventListener(name, deliver);
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
