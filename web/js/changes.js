// SPDX-License-Identifier: MIT
// What happens to pictures the page already shows, as Live tells it
// (docs/api.md, "Events"): a removed picture leaves the strip and the
// stage (the newest picture left takes its place, or the empty stage); a
// changed one's words change where they are; a moved one is shown from
// its new URL; a change of albums fills the picker again. Loaded with
// Live, or when a credential is forgotten (its private pictures go).
import { titleOf } from "./caption.js";
import { isolate, t } from "./i18n.js";
import { pictureName } from "./picture.js";

// What an event says of the picture, without what only the event has.
function detailsOf(event) {
  const { id, type, from, message, source, published_at: at, epoch, node, status, ...details } = event;
  return details;
}

const entryName = (entry) => entry.details?.name ?? pictureName(entry.url);

export class PictureChanges {
  // page: { state (failed, lightbox), history, picture, showEntry(entry),
  // loadAlbums(), announce(text), lightboxPicture(entry) }
  constructor(page) {
    this.page = page;
  }

  // An event other than a published picture.
  follow(event) {
    const { type } = event;
    if (type === "removed") {
      this.drop(event.name);
    } else if (type === "changed") {
      this.#change(event.name, event);
    } else if (type === "moved" && typeof event.from === "string") {
      this.#move(event);
    } else if (type === "album-changed" || type === "album-removed") {
      this.page.loadAlbums();
    }
  }

  // Removed from the catalogue (quietly: the credential that showed it was
  // forgotten).
  drop(name, { quietly = false } = {}) {
    const { state, history, picture } = this.page;
    const gone = this.#entriesOf(name);
    if (!gone.length) return;
    const wasShown = gone.includes(picture.current);
    for (const entry of gone) history.remove(entry.key);
    if (state.failed && entryName(state.failed) === name) state.failed = null;
    if (!quietly) this.page.announce(t("removed.announce", { name: isolate(titleOf(gone[0])) }));
    if (!wasShown) return;
    if (history.entries.length) {
      this.page.showEntry(history.entries[0]);
      return;
    }
    picture.clear();
    history.markCurrent(null);
    state.lightbox?.close();
  }

  dropPrivate() {
    const { history, picture } = this.page;
    const names = new Set([...history.entries, picture.current].filter((entry) => entry?.details?.private === true)
      .map(entryName));
    for (const name of names) this.drop(name, { quietly: true });
  }

  // The strip's entries of @name, and the stage's (not in the strip yet
  // while it loads).
  #entriesOf(name) {
    const { history, picture } = this.page;
    const entries = history.entries.filter((entry) => entryName(entry) === name);
    if (picture.current && entryName(picture.current) === name && !entries.includes(picture.current)) {
      entries.push(picture.current);
    }
    return entries;
  }

  // New words for the picture @name: its entries take them where they
  // are (the strip's tiles renamed, the stage's caption).
  #change(name, event) {
    const { state, history, picture } = this.page;
    for (const entry of this.#entriesOf(name)) {
      entry.details = { ...entry.details, ...detailsOf(event) };
      if (picture.current?.key !== entry.key) continue;
      picture.refresh(entry);
      if (state.lightbox?.isOpen) state.lightbox.show(this.page.lightboxPicture(entry));
    }
    history.relabel(titleOf);
  }

  // Moved to another album, so to another URL: its old tiles go; on the
  // stage it is shown from its new URL (and joins the strip so).
  #move(event) {
    const { history, picture } = this.page;
    const shown = this.#entriesOf(event.from).find((entry) => entry === picture.current);
    for (const entry of this.#entriesOf(event.from)) history.remove(entry.key);
    if (shown) this.page.showEntry({ ...shown, key: `moved-${event.id}`, url: event.url, details: { ...shown.details, ...detailsOf(event) } });
  }
}
