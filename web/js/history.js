// SPDX-License-Identifier: MIT
// The strip of recent pictures (newest first, at most 50): a thumbnail
// button each; a click shows that picture again. Only one button is in the
// Tab order; the arrow keys, Home and End move along the strip (mirrored
// when the page is right-to-left) and show the picture they land on.
import { densitySrcset, fallBackToOriginal } from "./variants.js";

export const HISTORY_LIMIT = 50;

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
  // onPick(entry) shows an entry; entry = { key, url, label, details,
  // placeholder }: details (the picture's, with its variant_version) and
  // placeholder (a data: URL of its BlurHash or colour) may be null.
  constructor(list, onPick) {
    this.list = list;
    this.onPick = onPick;
    this.entries = [];
    list.addEventListener("keydown", (event) => this.onKey(event));
  }

  // Entries join in the order they arrive, even when a newer picture is
  // shown before an older one has loaded.
  add(entry) {
    if (this.entries.some((known) => known.key === entry.key)) return;
    this.entries.unshift(entry);
    this.list.prepend(this.makeItem(entry));
    while (this.entries.length > HISTORY_LIMIT) {
      this.entries.pop();
      this.list.lastElementChild.remove();
    }
    this.list.dataset.count = String(this.entries.length);
    if (this.currentIndex() < 0) this.buttons()[0].tabIndex = 0;   // the strip stays reachable by Tab
  }

  // After a language change: labelFor(entry) gives the new label.
  relabel(labelFor) {
    for (const button of this.buttons()) {
      const entry = this.entries.find((known) => known.key === button.dataset.key);
      const label = labelFor(entry);
      button.setAttribute("aria-label", label);
      button.title = label;
    }
  }

  remove(key) {
    this.entries = this.entries.filter((known) => known.key !== key);
    this.list.querySelector(`button[data-key="${CSS.escape(key)}"]`)?.parentElement.remove();
    this.list.dataset.count = String(this.entries.length);
    const buttons = this.buttons();
    if (buttons.length && this.currentIndex() < 0) buttons[0].tabIndex = 0;
  }

  makeItem(entry) {
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
    thumbnail.srcset = densitySrcset({ ...entry.details, url: entry.url }, 64, 64);
    thumbnail.src = entry.url;
    thumbnail.alt = "";
    thumbnail.width = 64;
    thumbnail.height = 64;
    thumbnail.loading = "lazy";
    button.append(thumbnail);
    button.addEventListener("click", () => this.pick(entry.key));
    item.append(button);
    return item;
  }

  buttons() {
    return [...this.list.querySelectorAll("button.thumb")];
  }

  markCurrent(key) {
    for (const button of this.buttons()) {
      const current = button.dataset.key === key;
      button.setAttribute("aria-current", current ? "true" : "false");
      button.tabIndex = current ? 0 : -1;
    }
  }

  pick(key) {
    const entry = this.entries.find((known) => known.key === key);
    if (!entry) return;
    this.markCurrent(key);
    this.onPick(entry);
  }

  currentIndex() {
    return this.buttons().findIndex((button) => button.getAttribute("aria-current") === "true");
  }

  // step +1 goes to an older picture, -1 to a newer one.
  move(step, focus = false) {
    const buttons = this.buttons();
    if (!buttons.length) return;
    const index = Math.min(buttons.length - 1, Math.max(0, this.currentIndex() + step));
    this.pick(buttons[index].dataset.key);
    if (focus) buttons[index].focus();
  }

  onKey(event) {
    const rightToLeft = getComputedStyle(this.list).direction === "rtl";
    const older = rightToLeft ? "ArrowLeft" : "ArrowRight";
    const newer = rightToLeft ? "ArrowRight" : "ArrowLeft";
    const buttons = this.buttons();
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
