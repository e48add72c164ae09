// SPDX-License-Identifier: MIT
// The strip of recent pictures (newest first, as in the viewer; at most
// 50): a square thumbnail button each; a click shows that picture again.
// The current tile is kept in view (the strip scrolls, never the page);
// where the strip goes on past an edge it fades out and a button scrolls
// it. Only one tile is in the Tab order; the arrow keys, Home and End move
// along the strip (mirrored when the page is right-to-left) and show the
// picture they land on.
import { densitySrcset, fallBackToOriginal } from "./variants.js";

export const HISTORY_LIMIT = 50;
const TILE = 64;

// The tile shows the picture's placeholder (BlurHash or colour) behind
// it until the thumbnail has loaded, not a blank; then nothing (a
// picture with transparency shows the strip through it, as before).
function showPlaceholderUntilLoaded(thumbnail, placeholder) {
  if (!placeholder) return;
  thumbnail.style.backgroundImage = `url("${placeholder}")`;
  thumbnail.dataset.placeholder = "true";
  thumbnail.addEventListener("load", () => {
    thumbnail.style.removeProperty("background-image");
    delete thumbnail.dataset.placeholder;
  }, { once: true });
}

export class HistoryStrip {
  #list;
  #frame;
  #onPick;
  #entries = [];

  // onPick(entry) shows an entry; entry = { key, url, label, details,
  // placeholder }: details (the picture's, with its variant_version) and
  // placeholder (a data: URL of its BlurHash or colour) may be null.
  // frame: the strip's box, with the back and forward buttons.
  constructor(list, { frame, back, forward }, onPick) {
    this.#list = list;
    this.#frame = frame;
    this.#onPick = onPick;
    list.addEventListener("keydown", (event) => this.#onKey(event));
    list.addEventListener("scroll", () => this.#showOverflow(), { passive: true });
    new ResizeObserver(() => this.#showOverflow()).observe(list);
    back.addEventListener("click", () => this.#scrollBy(-1));
    forward.addEventListener("click", () => this.#scrollBy(1));
  }

  get entries() {
    return this.#entries;
  }

  // Entries join in the order they arrive, even when a newer picture is
  // shown before an older one has loaded.
  add(entry) {
    if (this.#entries.some((known) => known.key === entry.key)) return;
    this.#entries.unshift(entry);
    this.#list.prepend(this.#makeItem(entry));
    while (this.#entries.length > HISTORY_LIMIT) {
      this.#entries.pop();
      this.#list.lastElementChild.remove();
    }
    this.#list.dataset.count = String(this.#entries.length);
    if (this.#currentIndex() < 0) this.#buttons()[0].tabIndex = 0;   // the strip stays reachable by Tab
    this.#showOverflow();
  }

  // After a language change: labelFor(entry) gives the new label.
  relabel(labelFor) {
    for (const button of this.#buttons()) {
      const entry = this.#entries.find((known) => known.key === button.dataset.key);
      const label = labelFor(entry);
      button.setAttribute("aria-label", label);
      button.title = label;
    }
  }

  remove(key) {
    this.#entries = this.#entries.filter((known) => known.key !== key);
    this.#list.querySelector(`button[data-key="${CSS.escape(key)}"]`)?.parentElement.remove();
    this.#list.dataset.count = String(this.#entries.length);
    const buttons = this.#buttons();
    if (buttons.length && this.#currentIndex() < 0) buttons[0].tabIndex = 0;
    this.#showOverflow();
  }

  // The tile of @key is the current one (null: none); it is scrolled into
  // the strip's view.
  markCurrent(key) {
    for (const button of this.#buttons()) {
      const current = button.dataset.key === key;
      button.setAttribute("aria-current", current ? "true" : "false");
      button.tabIndex = current ? 0 : -1;
      if (current) this.#reveal(button);
    }
    if (key === null && this.#buttons().length) this.#buttons()[0].tabIndex = 0;
  }

  // step +1 goes to an older picture, -1 to a newer one.
  move(step, focus = false) {
    const buttons = this.#buttons();
    if (!buttons.length) return;
    const index = Math.min(buttons.length - 1, Math.max(0, this.#currentIndex() + step));
    this.#pick(buttons[index].dataset.key);
    if (focus) buttons[index].focus({ preventScroll: true });
  }

  #makeItem(entry) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "thumb";
    button.dataset.key = entry.key;
    button.setAttribute("aria-label", entry.label);
    button.title = entry.label;
    button.tabIndex = -1;
    const thumbnail = document.createElement("img");
    showPlaceholderUntilLoaded(thumbnail, entry.placeholder);
    // 64x64 variants for the screen's pixel ratio, not the whole picture.
    fallBackToOriginal(thumbnail, entry.url);
    thumbnail.srcset = densitySrcset({ ...entry.details, url: entry.url }, TILE, TILE);
    thumbnail.src = entry.url;
    thumbnail.alt = "";
    thumbnail.width = TILE;
    thumbnail.height = TILE;
    thumbnail.loading = "lazy";
    button.append(thumbnail);
    button.addEventListener("click", () => this.#pick(entry.key));
    item.append(button);
    return item;
  }

  #buttons() {
    return [...this.#list.querySelectorAll("button.thumb")];
  }

  #pick(key) {
    const entry = this.#entries.find((known) => known.key === key);
    if (!entry) return;
    this.markCurrent(key);
    this.#onPick(entry);
  }

  #currentIndex() {
    return this.#buttons().findIndex((button) => button.getAttribute("aria-current") === "true");
  }

  // Scrolls the strip alone (never the page) so @button is in view.
  #reveal(button) {
    const strip = this.#list.getBoundingClientRect();
    const tile = button.getBoundingClientRect();
    const margin = TILE;
    if (tile.left < strip.left + margin) this.#list.scrollBy({ left: tile.left - strip.left - margin });
    else if (tile.right > strip.right - margin) this.#list.scrollBy({ left: tile.right - strip.right + margin });
  }

  // direction -1 towards the start (newest), +1 towards the end, by most
  // of the strip's width.
  #scrollBy(direction) {
    const rightToLeft = getComputedStyle(this.#list).direction === "rtl";
    const width = this.#list.clientWidth * 0.8;
    this.#list.scrollBy({ left: direction * width * (rightToLeft ? -1 : 1) });
  }

  // data-overflow on the frame: "start" and/or "end" where tiles are out of view.
  #showOverflow() {
    const { scrollLeft, scrollWidth, clientWidth } = this.#list;
    // Right to left, scrollLeft runs from 0 down to negative values.
    const fromStart = Math.abs(scrollLeft);
    const sides = [];
    if (fromStart > 1) sides.push("start");
    if (fromStart + clientWidth < scrollWidth - 1) sides.push("end");
    this.#frame.dataset.overflow = sides.join(" ");
  }

  #onKey(event) {
    const rightToLeft = getComputedStyle(this.#list).direction === "rtl";
    const older = rightToLeft ? "ArrowLeft" : "ArrowRight";
    const newer = rightToLeft ? "ArrowRight" : "ArrowLeft";
    const buttons = this.#buttons();
    const moves = {
      [older]: () => this.move(1, true),
      [newer]: () => this.move(-1, true),
      Home: () => this.move(-buttons.length, true),
      End: () => this.move(buttons.length, true),
    };
    if (!moves[event.key]) return;
    event.preventDefault();
    event.stopPropagation();
    moves[event.key]();
  }
}
