// SPDX-License-Identifier: MIT
// The words under the picture. Its title is the owner's alt text (from the
// folder's info.json, in the page's language when the owner gave one),
// else the file name; then one line of details: the credits ("Photo by
// AUTHOR · LICENCE · source", the source linked), the pixel size and, for
// a published picture, its number, where it came from and when.
import { currentLanguage, formatTime, isolate, t } from "./i18n.js";

/** @typedef {import("./api.js").PictureDetails} PictureDetails */

/**
 * What the page shows: one Get, event or upload.
 * @typedef {object} Entry
 * @property {string} key one per Get; an event's whatever how often it comes
 * @property {string} url the file
 * @property {PictureDetails|null} details
 * @property {import("./api.js").PictureEvent|null} event
 */

// The file's name: "023.png" for ".../static/img/squares/023.png".
export function nameOf(url) {
  return decodeURIComponent(new URL(url, location.href).pathname.split("/").pop());
}

// The owner's alt text in the page's language, else in English; null
// when the owner gave none.
export function ownerAltOf(details) {
  return details?.alt_by_language?.[currentLanguage()] ?? details?.alt ?? null;
}

// The picture's alt attribute: the owner's text, else a sentence naming it.
export function altTextOf(entry) {
  return ownerAltOf(entry.details) ?? t("picture.alt", { name: nameOf(entry.url) });
}

// What names the picture in words (a history tile's label too).
export function titleOf(entry) {
  return ownerAltOf(entry.details) ?? nameOf(entry.url);
}

// timer, api, upload, folder in words; a source this page does not know yet as it is.
function sourceName(source) {
  const key = `source.${source}`;
  const text = t(key);
  return text === key ? String(source) : text;
}

function link(href, text) {
  const anchor = document.createElement("a");
  anchor.href = href;
  anchor.textContent = text;
  anchor.target = "_blank";
  anchor.rel = "noopener noreferrer nofollow";
  return anchor;
}

// The pieces of the details line, each a string or a node.
function detailsOf(entry) {
  const details = entry.details ?? {};
  const pieces = [];
  if (details.author) pieces.push(t("credit.by", { author: isolate(details.author) }));
  if (details.license) pieces.push(isolate(details.license));
  if (details.source_url) pieces.push(link(details.source_url, t("credit.source")));
  if (details.width > 0 && details.height > 0) {
    pieces.push(t("picture.size", { width: details.width, height: details.height }));
  }
  if (entry.event) {
    pieces.push(t("picture.event", {
      id: entry.event.id, source: sourceName(entry.event.source), time: formatTime(entry.event.published_at),
    }));
  }
  return pieces;
}

export class Caption {
  #title;
  #details;
  #emptyHint;

  constructor({ title, details }) {
    this.#title = title;
    this.#details = details;
    this.#emptyHint = title.dataset.i18n;
  }

  // The title's element id (it names the picture's button).
  get titleId() {
    return this.#title.id;
  }

  // The caption of @entry; null: the empty stage's hint.
  render(entry) {
    if (!entry) {
      this.#title.dataset.i18n = this.#emptyHint;
      this.#title.textContent = t(this.#emptyHint);
      this.#details.replaceChildren();
      return;
    }
    delete this.#title.dataset.i18n;
    this.#title.textContent = titleOf(entry);
    const nodes = [];
    for (const piece of detailsOf(entry)) {
      if (nodes.length) nodes.push(" · ");
      nodes.push(piece);
    }
    this.#details.replaceChildren(...nodes);
  }

  // A file of one's own on its way: its name, and that it is uploading.
  renderUpload(name, size) {
    delete this.#title.dataset.i18n;
    this.#title.textContent = name;
    this.#details.textContent = t("upload.sending", { size });
  }
}
