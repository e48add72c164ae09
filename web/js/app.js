// SPDX-License-Identifier: MIT
// The page: wires the modules together. Get shows one random picture (a
// second Get replaces the one on its way: the last asked wins); Live
// follows new ones (one connection shared by all tabs); every picture seen
// joins the history strip; the picture opens full screen; uploads show in
// the stage while they go; removed and changed pictures follow (changes.js);
// a token shows private albums (access.js); the browser going offline, a
// tab coming back from sleep and a Retry click all reconnect at once. What
// only some visits need is imported when needed. The page's state is on
// one object, `state`.
import { AlbumPicker } from "./albums.js";
import { currentToken, randomPicture, stats, uploadLimits } from "./api.js";
import { placeholderUrl } from "./blurhash.js";
import { Caption, altTextOf, nameOf, titleOf } from "./caption.js";
import { HistoryStrip } from "./history.js";
import {
  chooseLanguage, currentLanguage, formatBytes, formatPercent, isolate, rememberLanguage, setLanguage,
  storedLanguage, t,
} from "./i18n.js";
import { PictureView } from "./picture.js";
import { installShortcuts } from "./shortcuts.js";
import { StatusView } from "./status.js";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const getButton = $("get");
const liveSwitch = $("live");

const state = {
  gets: 0,                 // Gets asked, for their history keys
  getting: null,           // the AbortController of the Get on its way
  failed: null,            // an entry that could not be loaded, tried again when online
  switchConnection: "off", // off, waiting, connected
  hiddenSince: null,       // when the tab was hidden
  unseen: 0,               // pictures that came while hidden
  live: null,              // the LiveShare, once Live was first turned on
  uploadLimits: null,      // what the server takes, when it takes uploads
  uploader: null,          // the Uploader, once a first file came
  lightbox: null,          // the FullScreenView, once first opened
  changes: null,           // the PictureChanges, with Live or a forgotten credential
  liveScope: null,         // (album) → what tabs share Live by, with Live
};

const caption = new Caption({ title: $("caption-title"), details: $("caption-details") });
const picture = new PictureView({
  stage: $("stage"), frame: $("frame"), button: $("frame-button"), image: $("picture"), caption,
  actions: $("actions"), download: $("download"), open: $("open"),
}, (entry) => (entry.details ? placeholderUrl(entry.details) : null));
const status = new StatusView({
  status: $("status"), banner: $("banner"), bannerText: $("banner-text"), retry: $("retry"), dismiss: $("dismiss"),
});
const history = new HistoryStrip($("history"),
  { frame: $("strip-frame"), back: $("strip-back"), forward: $("strip-forward") },
  (entry) => showEntry(entry));

// Get and Live follow the album picked; Live starts over on a change.
const albums = new AlbumPicker($("album"), () => {
  if (!liveSwitch.checked || !state.live) return;
  state.live.stop();
  state.live.setScope(state.liveScope(albums.album));
  state.live.start();
});

// ---- pictures and history ----

// One history entry per Get; an event (live or upload) has one entry
// however often it arrives. details: the picture's (alt text, size,
// placeholder, credits, variant_version): rndimg's answer gives them
// beside the URL, and every event carries them itself.
function entryFor(url, event = null, details = null) {
  return {
    key: event ? `event-${event.id}-${url}` : `get-${++state.gets}`, url, event, details: details ?? event,
  };
}

// The picture of @entry on the stage: everything there (caption, actions,
// the current tile) is its own from now, while it loads.
async function showEntry(entry) {
  const placeholder = entry.details ? placeholderUrl(entry.details) : null;
  history.add({ ...entry, label: titleOf(entry), placeholder });
  history.markCurrent(entry.key);
  if (state.lightbox?.isOpen) state.lightbox.show(lightboxPicture(entry));
  try {
    const shown = await picture.show(entry);
    if (!shown) return false;   // a newer picture came first
    if (state.failed?.key === entry.key) state.failed = null;
    status.clearError("error.picture");
    return true;
  } catch {
    history.remove(entry.key);
    history.markCurrent(picture.current?.key ?? null);
    state.failed = entry;
    if (!navigator.onLine) return false;   // the offline banner already says why
    status.showError("error.picture", { name: isolate(nameOf(entry.url)) }, () => showEntry(entry));
    return false;
  }
}

// ---- Get: every click counts, the last one wins ----

async function getOne() {
  state.getting?.abort();
  const request = new AbortController();
  state.getting = request;
  getButton.setAttribute("aria-busy", "true");
  try {
    const answer = await randomPicture(picture.currentName, albums.album, request.signal);
    status.clearError("error.get");
    await showEntry(entryFor(answer.message, null, answer.image ?? null));
  } catch (error) {
    if (error.name !== "AbortError") status.showError("error.get", { reason: reasonFor(error) }, getOne);
  } finally {
    if (state.getting === request) {
      state.getting = null;
      getButton.setAttribute("aria-busy", "false");
    }
  }
}

function reasonFor(error) {
  if (!navigator.onLine) return t("reason.offline");
  if (error.kind === "unreachable") return t("reason.unreachable");
  if (error.status === 401 && currentToken()) return t("reason.tokenRefused");
  if (error.kind === "unreadable") return t("reason.unreadable", { status: error.status });
  return t("reason.http", { status: error.status });
}

// ---- full screen ----

function lightboxPicture(entry) {
  const stage = $("stage").dataset;
  const width = entry.details?.width ?? Number(stage.width);
  const height = entry.details?.height ?? Number(stage.height);
  return { url: entry.url, details: entry.details, width, height, alt: altTextOf(entry) };
}

async function openFullScreen() {
  const entry = picture.current;
  if (!entry) return;
  if (!state.lightbox) {
    const { FullScreenView } = await import("./fullscreen.js");
    state.lightbox = new FullScreenView({
      dialog: $("lightbox"), body: $("lightbox-body"), canvas: $("lightbox-canvas"), image: $("lightbox-picture"),
      title: $("lightbox-title"), zoom: $("lightbox-zoom"), previous: $("lightbox-previous"), next: $("lightbox-next"),
      zoomIn: $("lightbox-zoom-in"), zoomOut: $("lightbox-zoom-out"), close: $("lightbox-close"),
    }, (step) => history.move(step));
  }
  await state.lightbox.open(lightboxPicture(entry));
}

// ---- Copy link ----

async function copyLink() {
  const entry = picture.current;
  if (!entry) return;
  const link = new URL(entry.url, location.href).href;
  try {
    await navigator.clipboard.writeText(link);
  } catch {
    // No clipboard API (a plain-HTTP page on another host): the old way.
    const field = Object.assign(document.createElement("textarea"), { value: link, readOnly: true });
    field.className = "visually-hidden";
    document.body.append(field);
    field.select();
    const copied = document.execCommand("copy");
    field.remove();
    if (!copied) {
      status.showError("error.copy", { link: isolate(link) });
      return;
    }
  }
  status.clearError("error.copy");
  flash($("copy-link"), t("copy.done"));
}

// A button says what it did for a moment ("Link copied"), also to a screen reader.
function flash(button, text) {
  const label = button.querySelector(".action-label");
  label.textContent = text;
  announce(text);
  setTimeout(() => { label.textContent = t(label.dataset.i18n); }, 2000);
}

// Said once to a screen reader, without a place on screen.
function announce(text) {
  $("announcer").textContent = text;
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

// What happens to pictures already shown (changes.js).
async function pictureChanges() {
  const { PictureChanges } = await import("./changes.js");
  state.changes ??= new PictureChanges({ state, history, picture, showEntry, loadAlbums, announce, lightboxPicture });
  return state.changes;
}

// The shared live connection, made the first time Live is turned on.
async function liveShare() {
  if (state.live) return state.live;
  const [{ LiveShare }, { LiveFollower }, { liveScope, longPollTransport, sseTransport }, changes] = await Promise.all([
    import("./live-share.js"), import("./live-follower.js"), import("./transports.js"), pictureChanges(),
  ]);
  state.live ??= new LiveShare({
    mode: liveMode,
    // A shared worker cannot read the tab's credential: a channel instead.
    ...(currentToken() ? { openWorker: null } : {}),
    createFollower: (handlers) => new LiveFollower({
      transports: { sse: sseTransport(albums.album), longpoll: longPollTransport(albums.album) },
      mode: liveMode,
      ...handlers,
    }),
    onEvent: (event) => {
      status.noteEvent(event);
      if ((event.type ?? "published") !== "published") {
        changes.follow(event);
        return;
      }
      countUnseen();
      showEntry(entryFor(event.message, event));
    },
    onState: ({ state: connection, transport }) => showLiveState(connection, transport),
    onRole: (role) => { document.documentElement.dataset.liveRole = role; },
  });
  state.liveScope = liveScope;
  state.live.setScope(liveScope(albums.album));
  state.live.setHidden(document.hidden);
  return state.live;
}

// The switch: off, on but not connected (striped, "not connected"), or on
// and connected. The words are text, not hidden with CSS, because the
// switch's description (aria-describedby) would read them even hidden.
function showSwitch(connection) {
  state.switchConnection = connection;
  $("live-label").dataset.connection = connection;
  $("live-state").textContent = connection === "waiting" ? t("live.notConnected") : "";
}

function showLiveState(connection, transport) {
  status.transport = transport;
  if (!navigator.onLine) return;   // the offline banner says more than any of these
  status.set(connection, LIVE_TEXT[connection] ?? "status.connecting");
  if (connection !== "bad-event") showSwitch(connection === "connected" ? "connected" : "waiting");
  if (connection === "offline") status.showError("error.unreachable", {}, () => state.live?.resume());
  else status.clearError("error.unreachable");
}

async function setLive(on) {
  liveSwitch.checked = on;
  showSwitch(on ? "waiting" : "off");
  if (on) {
    status.set("connecting", "status.connecting");
    const live = await liveShare();
    if (liveSwitch.checked) live.start();
  } else {
    state.live?.stop();
    status.clearError("error.unreachable");
    status.set("idle", "status.liveOff");
    status.transport = "none";
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
  if (state.failed) showEntry(state.failed);
  if (!liveSwitch.checked || !state.live) {
    status.set("idle");
    return;
  }
  // A following tab learns the leader's next state; until then, its last.
  if (state.live.lastState) showLiveState(state.live.lastState.state, state.live.lastState.transport);
  state.live.resume();
}

const STALE_AFTER_MS = 30000;   // twice the server's default heartbeat

function onVisibility() {
  state.live?.setHidden(document.hidden);
  if (document.hidden) {
    state.hiddenSince = Date.now();
    return;
  }
  resetUnseen();
  const away = state.hiddenSince !== null ? Date.now() - state.hiddenSince : 0;
  state.hiddenSince = null;
  if (liveSwitch.checked && state.live && (away > STALE_AFTER_MS || status.state !== "connected")) state.live.resume();
}

// ---- "(3 new)" in the title while the tab is hidden ----

function countUnseen() {
  if (!document.hidden) return;
  state.unseen++;
  renderTitle();
}

function resetUnseen() {
  state.unseen = 0;
  renderTitle();
}

function renderTitle() {
  document.title = state.unseen ? t("title.unseen", { count: state.unseen, title: t("title") }) : t("title");
}

// ---- uploads: choosing, dropping and pasting here; the work in
// upload.js, imported at the first file ----

const UPLOAD_ERRORS = { 401: "error.upload.401", 403: "error.upload.403", 413: "error.upload.413", 415: "error.upload.415" };

function uploadRefused(reason, file, limits) {
  if (reason === "size") {
    status.showError("error.upload.tooLarge", {
      name: isolate(file.name), size: formatBytes(file.size), limit: formatBytes(limits.maxBytes),
    });
  } else status.showError("error.upload.415");
}

async function uploader() {
  if (state.uploader) return state.uploader;
  const { Uploader } = await import("./upload.js");
  state.uploader ??= new Uploader({
    root: $("upload-card"), name: $("upload-name"), progress: $("upload-progress"),
    percent: $("upload-percent"), cancel: $("upload-cancel"),
  }, {
    onPreview: (file, url) => {
      status.clearError("error.upload.");
      history.markCurrent(null);   // the stage shows no picture of the strip now
      $("stage").scrollIntoView({ block: "nearest", behavior: matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth" });
      return picture.preview(url, file.name, formatBytes(file.size));
    },
    onDone: (event) => {
      status.noteEvent(event);
      return showEntry(entryFor(event.message, event));
    },
    onError: (error) => {
      picture.restore();
      history.markCurrent(picture.current?.key ?? null);
      status.showError(UPLOAD_ERRORS[error.status] ?? "error.upload.other", { reason: reasonFor(error) });
    },
    onCancelled: () => {
      picture.restore();
      history.markCurrent(picture.current?.key ?? null);
      announce(t("upload.cancelled"));
    },
    onRefused: uploadRefused,
    formatPercent: (percent) => formatPercent(percent / 100),
    album: () => albums.album,   // an upload goes into the album picked
  });
  return state.uploader;
}

async function sendFiles(files) {
  if (!files.length) return;
  if (!state.uploadLimits) {
    status.showError("error.upload.off");
    return;
  }
  (await uploader()).send(files, state.uploadLimits);
}

// The whole page is the drop target while a file is dragged over it.
function listenForUploads() {
  const input = $("upload-file");
  const overlay = $("drop-overlay");
  const carriesFiles = (event) => event.dataTransfer?.types?.includes("Files");
  input.addEventListener("change", () => {
    sendFiles([...input.files]);
    input.value = "";
  });
  input.form.addEventListener("submit", (event) => event.preventDefault());
  document.addEventListener("dragover", (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = state.uploadLimits ? "copy" : "none";
    overlay.hidden = false;
  });
  document.addEventListener("dragleave", (event) => {
    if (event.relatedTarget === null) overlay.hidden = true;   // left the window
  });
  document.addEventListener("drop", (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    overlay.hidden = true;
    sendFiles([...event.dataTransfer.files]);
  });
  document.addEventListener("paste", (event) => {
    if (event.target.closest?.("input, textarea, [contenteditable]")) return;
    const files = [...(event.clipboardData?.files ?? [])].filter((file) => file.type.startsWith("image/"));
    if (!files.length) return;
    event.preventDefault();
    sendFiles(files);
  });
}

// The server's counts and whether it takes uploads (and which).
async function readStats() {
  try {
    const answer = await stats();
    albums.setTotal(answer.images);
    state.uploadLimits = answer.writes_enabled === true ? uploadLimits(answer) : null;
  } catch {
    // No stats: no upload form, no count; the rest of the page still works.
  }
  $("upload").hidden = !state.uploadLimits;
}

// ---- the credential: private albums ----

// "in use" and Forget show with a credential (the style sheet).
function showTokenState() {
  document.documentElement.toggleAttribute("data-token", currentToken() !== "");
}

// The albums this tab may see; a credential refused is said.
async function loadAlbums() {
  const error = await albums.load();
  if (error?.status === 401 && currentToken()) status.showError("error.token");
}

// The token's form (access.js, imported at first use); Live starts over.
function listenForToken() {
  const use = async (token) => (await import("./access.js")).useToken(token, {
    field: $("token"), showState: showTokenState, status, pictureChanges, announce,
    stopLive: () => { state.live?.close(); state.live = null; },
    reload: () => Promise.all([loadAlbums(), readStats()]),
    startLive: () => liveSwitch.checked && setLive(true),
  });
  $("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    if ($("token").value.trim()) use($("token").value.trim());
  });
  $("token-forget").addEventListener("click", () => use(""));
  showTokenState();
}

// ---- language ----

async function useLanguage(code) {
  await setLanguage(code);
  $("language").value = currentLanguage();
  status.retranslate();
  showSwitch(state.switchConnection);
  renderTitle();
  picture.retranslate();
  albums.retranslate();
  state.lightbox?.retranslate();
  history.relabel(titleOf);
}

function installKeys() {
  installShortcuts($("shortcuts"), {
    KeyG: getOne,
    KeyL: () => setLive(!liveSwitch.checked),
    KeyF: openFullScreen,
    KeyC: copyLink,
    KeyD: () => picture.current && $("download").click(),
    ArrowLeft: () => history.move(document.dir === "rtl" ? 1 : -1),
    ArrowRight: () => history.move(document.dir === "rtl" ? -1 : 1),
  });
}

function listen() {
  listenForUploads();
  listenForToken();
  getButton.addEventListener("click", getOne);
  liveSwitch.addEventListener("change", () => setLive(liveSwitch.checked));
  $("frame-button").addEventListener("click", openFullScreen);
  $("fullscreen").addEventListener("click", openFullScreen);
  $("copy-link").addEventListener("click", copyLink);
  $("language").addEventListener("change", () => {
    rememberLanguage($("language").value);
    useLanguage($("language").value);
  });
  addEventListener("offline", goneOffline);
  addEventListener("online", backOnline);
  // Leaving: the shared connection forgets this tab at once; back from
  // the back/forward cache, it joins again.
  addEventListener("pagehide", () => state.live?.close());
  addEventListener("pageshow", (event) => {
    if (!event.persisted || !liveSwitch.checked || !state.live) return;
    state.live.start();
    state.live.resume();
  });
  document.addEventListener("visibilitychange", onVisibility);
}

async function start() {
  listen();
  installKeys();
  // The language, the albums and the server's stats are asked for together.
  const language = useLanguage(chooseLanguage(params.get("lang") ?? storedLanguage(), navigator.languages));
  const albumsLoaded = loadAlbums();
  const statsRead = readStats();
  await language;
  if (!navigator.onLine) goneOffline();
  if (params.has("live")) setLive(true);
  await Promise.all([albumsLoaded, statsRead]);
  document.documentElement.dataset.ready = "true";
}

start();
