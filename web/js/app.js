// SPDX-License-Identifier: MIT
// The page: wires the modules together. Get shows one random picture; Live
// follows new ones (one connection shared by all tabs); every picture seen
// joins the history strip; uploads are shown as soon as the server has them;
// the browser going offline, a tab coming back from sleep and a Retry click
// all reconnect at once.
import { AlbumPicker } from "./albums.js";
import { randomPicture, stats } from "./api.js";
import { placeholderUrl } from "./blurhash.js";
import { HistoryStrip } from "./history.js";
import {
  chooseLanguage, currentLanguage, formatTime, isolate, rememberLanguage, setLanguage, storedLanguage, t,
} from "./i18n.js";
import { LiveFollower } from "./live-follower.js";
import { LiveShare } from "./live-share.js";
import { PictureView, nameOf } from "./picture.js";
import { installShortcuts } from "./shortcuts.js";
import { StatusView } from "./status.js";
import { longPollTransport, sseTransport } from "./transports.js";
import { Uploader } from "./upload.js";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const getButton = $("get");
const liveSwitch = $("live");

const picture = new PictureView({
  stage: $("stage"), image: $("picture"), caption: $("caption"),
  download: $("download"), open: $("open"), actions: $("actions"),
});
const status = new StatusView({
  status: $("status"), last: $("last"), banner: $("banner"), bannerText: $("banner-text"),
  retry: $("retry"), dismiss: $("dismiss"),
});
const history = new HistoryStrip($("history"), (entry) => showEntry(entry));

// Get and Live follow the album picked; Live starts over on a change.
const albums = new AlbumPicker($("album"), (album) => {
  if (!liveSwitch.checked) return;
  share.stop();
  share.setScope(album);
  share.start();
});

// ---- pictures and history ----

let shownEntry = null;
let gets = 0;

// One history entry per Get; an event (live or upload) has one entry
// however often it arrives. details: the picture's (alt text, size,
// placeholder, variant_version) when known: rndimg's answer gives them
// beside the URL, and every event carries them itself.
function entryFor(url, event = null, details = null) {
  return {
    key: event ? `event-${event.id}-${url}` : `get-${++gets}`, url, event, details: details ?? event,
  };
}

// The owner's alt text in the page's language, else in English, else a
// sentence naming the picture.
function altTextOf(entry) {
  const details = entry.details;
  return details?.alt_by_language?.[currentLanguage()] ?? details?.alt ?? t("picture.alt", { name: nameOf(entry.url) });
}

function describe(entry) {
  const name = isolate(nameOf(entry.url));
  if (!entry.event) return t("picture.random", { name });
  return t("picture.event", {
    id: entry.event.id, name, source: sourceName(entry.event.source), time: formatTime(entry.event.published_at),
  });
}

// timer, api, upload, folder in words; a source this page does not know yet as it is.
function sourceName(source) {
  const key = `source.${source}`;
  const text = t(key);
  return text === key ? String(source) : text;
}

// A picture that could not be loaded (the browser offline, say) is tried
// again when the connection is back: its event will not be sent twice.
let failedEntry = null;

async function showEntry(entry) {
  const placeholder = entry.details ? placeholderUrl(entry.details) : null;
  history.add({ ...entry, label: describe(entry), placeholder });
  try {
    const shown = await picture.show(entry.url, describe(entry), altTextOf(entry),
                                     { placeholder, details: entry.details });
    if (!shown) return;   // a newer picture came first
    shownEntry = entry;
    if (failedEntry?.key === entry.key) failedEntry = null;
    history.markCurrent(entry.key);
    status.clearError("error.picture");
  } catch {
    history.remove(entry.key);
    failedEntry = entry;
    if (!navigator.onLine) return;   // the offline banner already says why
    status.showError("error.picture", { name: isolate(nameOf(entry.url)) }, () => showEntry(entry));
  }
}

// ---- Get ----

async function getOne() {
  if (getButton.getAttribute("aria-busy") === "true") return;   // no piling up
  getButton.setAttribute("aria-busy", "true");
  try {
    const answer = await randomPicture(picture.currentName, albums.album);
    status.clearError("error.get");
    await showEntry(entryFor(answer.message, null, answer.image ?? null));
  } catch (error) {
    status.showError("error.get", { reason: reasonFor(error) }, getOne);
  } finally {
    getButton.setAttribute("aria-busy", "false");
  }
}

function reasonFor(error) {
  if (!navigator.onLine) return t("reason.offline");
  if (error.kind === "unreachable") return t("reason.unreachable");
  if (error.kind === "unreadable") return t("reason.unreadable", { status: error.status });
  return t("reason.http", { status: error.status });
}

// ---- Live ----

const LIVE_TEXT = {
  connecting: "status.connecting",
  connected: "status.connected",
  reconnecting: "status.reconnecting",
  offline: "status.unreachable",
  "bad-event": "status.badEvent",
};

const liveMode = params.get("transport") ?? "auto";
const share = new LiveShare({
  mode: liveMode,
  createFollower: (handlers) => new LiveFollower({
    transports: { sse: sseTransport(albums.album), longpoll: longPollTransport(albums.album) },
    mode: liveMode,
    ...handlers,
  }),
  onEvent: (event) => {
    status.noteEvent(event);
    countUnseen();
    showEntry(entryFor(event.message, event));
  },
  onState: ({ state, transport }) => showLiveState(state, transport),
  onRole: (role) => { document.documentElement.dataset.liveRole = role; },
});

// The switch: off, on but not connected (striped, "not connected"), or on
// and connected. The words are text, not hidden with CSS, because the
// switch's description (aria-describedby) would read them even hidden.
let switchConnection = "off";

function showSwitch(connection) {
  switchConnection = connection;
  $("live-label").dataset.connection = connection;
  $("live-state").textContent = connection === "waiting" ? t("live.notConnected") : "";
}

function showLiveState(state, transport) {
  status.status.dataset.transport = transport ?? "none";
  if (!navigator.onLine) return;   // the offline banner says more than any of these
  status.set(state, LIVE_TEXT[state] ?? "status.connecting");
  if (state !== "bad-event") showSwitch(state === "connected" ? "connected" : "waiting");
  if (state === "offline") status.showError("error.unreachable", {}, () => share.resume());
  else status.clearError("error.unreachable");
}

function setLive(on) {
  liveSwitch.checked = on;
  showSwitch(on ? "waiting" : "off");
  if (on) {
    status.set("connecting", "status.connecting");
    share.start();
  } else {
    share.stop();
    status.clearError("error.unreachable");
    status.set("idle", "status.liveOff");
    status.status.dataset.transport = "none";
  }
}

// ---- the browser's network and sleep ----

function goneOffline() {
  status.set("browser-offline", "status.browserOffline");
  if (liveSwitch.checked) showSwitch("waiting");
  status.showError("error.browserOffline", {}, null);
}

function backOnline() {
  status.clearError("error.browserOffline");
  if (failedEntry) showEntry(failedEntry);
  if (!liveSwitch.checked) {
    status.set("idle", "status.ready");
    return;
  }
  // A following tab learns the leader's next state; until then, its last.
  if (share.lastState) showLiveState(share.lastState.state, share.lastState.transport);
  share.resume();
}

let hiddenSince = null;
const STALE_AFTER_MS = 30000;   // twice the server's default heartbeat

function onVisibility() {
  share.setHidden(document.hidden);
  if (document.hidden) {
    hiddenSince = Date.now();
    return;
  }
  resetUnseen();
  const away = hiddenSince !== null ? Date.now() - hiddenSince : 0;
  hiddenSince = null;
  if (liveSwitch.checked && (away > STALE_AFTER_MS || status.status.dataset.state !== "connected")) share.resume();
}

// ---- "(3) new" in the title while the tab is hidden ----

let unseen = 0;

function countUnseen() {
  if (!document.hidden) return;
  unseen++;
  renderTitle();
}

function resetUnseen() {
  unseen = 0;
  renderTitle();
}

function renderTitle() {
  document.title = unseen ? t("title.unseen", { count: unseen, title: t("title") }) : t("title");
}

// ---- uploads ----

const uploader = new Uploader({
  form: $("upload"), input: $("upload-file"), progress: $("upload-progress"), overlay: $("drop-overlay"),
}, {
  onStart: () => {
    if (status.error?.key.startsWith("error.upload")) status.clearError();
  },
  onDone: (answer) => {
    status.noteEvent(answer);
    return showEntry(entryFor(answer.message, answer));
  },
  onError: (error) => status.showError(uploadErrorKey(error), { reason: reasonFor(error) }),
  onRefused: () => status.showError("error.upload.off"),
  album: () => albums.album,   // an upload goes into the album picked
});

function uploadErrorKey(error) {
  const known = { 401: "error.upload.401", 403: "error.upload.403", 413: "error.upload.413", 415: "error.upload.415" };
  return known[error.status] ?? "error.upload.other";
}

async function offerUpload() {
  try {
    const answer = await stats();
    uploader.enable(answer.writes_enabled === true);
  } catch {
    // No stats, no upload form: the rest of the page still works.
  }
}

// ---- language ----

async function useLanguage(code) {
  await setLanguage(code);
  $("language").value = currentLanguage();
  status.retranslate();
  showSwitch(switchConnection);
  renderTitle();
  if (shownEntry) {
    $("caption").textContent = describe(shownEntry);
    $("picture").alt = altTextOf(shownEntry);
  }
  history.relabel(describe);
}

async function start() {
  await useLanguage(chooseLanguage(params.get("lang") ?? storedLanguage(), navigator.languages));
  $("language").addEventListener("change", () => {
    rememberLanguage($("language").value);
    useLanguage($("language").value);
  });
  await albums.load();
  share.setScope(albums.album);
  getButton.addEventListener("click", getOne);
  liveSwitch.addEventListener("change", () => setLive(liveSwitch.checked));
  installShortcuts($("shortcuts"), {
    KeyG: getOne,
    KeyL: () => setLive(!liveSwitch.checked),
    ArrowLeft: () => history.move(document.dir === "rtl" ? 1 : -1),
    ArrowRight: () => history.move(document.dir === "rtl" ? -1 : 1),
  });
  addEventListener("offline", goneOffline);
  addEventListener("online", backOnline);
  // Leaving: the shared connection forgets this tab at once; back from
  // the back/forward cache, it joins again.
  addEventListener("pagehide", () => share.close());
  addEventListener("pageshow", (event) => {
    if (!event.persisted || !liveSwitch.checked) return;
    share.start();
    share.resume();
  });
  share.setHidden(document.hidden);
  document.addEventListener("visibilitychange", onVisibility);
  status.set("idle", "status.ready");
  if (!navigator.onLine) goneOffline();
  if (params.has("live")) setLive(true);
  await offerUpload();
  document.documentElement.dataset.ready = "true";
}

start();
