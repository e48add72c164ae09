// SPDX-License-Identifier: MIT
// The album picker: "All pictures" and every album the server has (a
// sub-album under its parent), each with its title (the owner's from the
// folder's info.json, in the page's language when given, else the
// folder's name made readable: "family-holidays-2024" is "Family holidays
// 2024"), its count and a cover thumbnail. A native <select>: where the
// browser styles selects (appearance: base-select) the options show the
// cover and the count; elsewhere their text says the same ("Squares ›
// Small, 2 pictures"). Long titles are cut with an ellipsis, and the whole
// title is the option's (and the picker's) tooltip. The choice is kept in
// the page's URL (?album=) and in localStorage, so a reload or a shared
// link keeps it.
import { listAlbums } from "./api.js";
import { currentLanguage, isolate, t, tn } from "./i18n.js";
import { variantUrl } from "./variants.js";

const STORAGE_KEY = "rndimg.album";
const ALBUM_NAME = /^[a-z0-9_-]{1,64}(\/[a-z0-9_-]{1,64})?$/;
const COVER = 40;

function stored() {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;   // storage refused: just do not remember
  }
}

function remember(album) {
  try {
    if (album) localStorage.setItem(STORAGE_KEY, album);
    else localStorage.removeItem(STORAGE_KEY);
  } catch {
    // as above
  }
}

// "family-holidays-2024_summer" -> "Family holidays 2024 summer".
export function readableName(folder) {
  const words = folder.replace(/[-_]+/g, " ").trim();
  return words.charAt(0).toLocaleUpperCase() + words.slice(1);
}

// An album's own title (in the page's language when it has one), else
// its last folder's name made readable.
export function albumTitle(album) {
  return album.title_by_language?.[currentLanguage()] || album.title || readableName(album.name.split("/").pop());
}

function span(className, text = "") {
  const element = document.createElement("span");
  element.className = className;
  element.textContent = text;
  return element;
}

function hidden(text) {
  return span("visually-hidden", text);
}

// A private album's cover URL is signed: its variants carry the signature.
function coverPicture(url) {
  const query = new URL(url, location.href).searchParams;
  return { url, signature: query.has("sig") ? query.toString() : null };
}

export class AlbumPicker {
  #select;
  #picker;
  #onChange;
  #albums = [];
  #total = null;

  // onChange(album): "" for all pictures.
  constructor(select, onChange) {
    this.#select = select;
    // Hidden until the server turns out to have albums: none, nothing to pick.
    this.#picker = select.closest("label") ?? select;
    this.#picker.hidden = true;
    this.#onChange = onChange;
    const wanted = new URLSearchParams(location.search).get("album") ?? stored() ?? "";
    this.album = ALBUM_NAME.test(wanted) ? wanted : "";
    select.addEventListener("change", () => this.choose(select.value));
  }

  // Fills the list from the server (again after a change of albums or of
  // credential); an album that is gone falls back to all. Returns the error
  // that kept the list out, or null.
  async load() {
    try {
      this.#albums = await listAlbums();
    } catch (error) {
      return error;   // no list: "All pictures" still works
    }
    for (const option of [...this.#select.options]) if (option.value !== "") option.remove();
    for (const album of this.#albums) this.#select.append(this.#makeOption(album));
    if (!this.#albums.some((album) => album.name === this.album)) this.album = "";
    this.#select.value = this.album;
    this.#picker.hidden = this.#albums.length === 0;
    this.retranslate();
    return null;
  }

  // The whole catalogue's count, for "All pictures" (from /stats).
  setTotal(count) {
    this.#total = Number.isInteger(count) ? count : null;
    this.retranslate();
  }

  choose(album) {
    if (album === this.album) return;
    this.album = album;
    remember(album);
    const url = new URL(location.href);
    if (album) url.searchParams.set("album", album);
    else url.searchParams.delete("album");
    history.replaceState(null, "", url);
    this.#showTooltip();
    this.#onChange(album);
  }

  // Titles and counts in the page's language again.
  retranslate() {
    for (const option of this.#select.options) {
      const album = this.#albums.find((known) => known.name === option.value);
      if (album) this.#showTitle(option.querySelector(".album-title"), album);
      option.title = album ? this.#fullTitle(album) : t("album.all");
      const count = option.value === "" ? this.#total : Number(option.dataset.count);
      const counter = option.querySelector(".album-count");
      counter?.replaceChildren();
      if (counter && count !== null && !Number.isNaN(count)) counter.append(hidden(", "), tn("album.count", count));
      const privacy = option.querySelector(".album-private");
      privacy?.replaceChildren(hidden(", "), t("album.private"));
    }
    this.#refreshButton();
    this.#showTooltip();
  }

  // The button shows a copy of the picked option (<selectedcontent>),
  // made when the pick changes: picked again, it copies the new words.
  #refreshButton() {
    const picked = this.#select.value;
    this.#select.selectedIndex = -1;
    this.#select.value = picked;
  }

  // A sub-album's title says its parent's, unseen: "Squares › Small".
  #showTitle(element, album) {
    element.replaceChildren();
    if (album.parent) {
      const parent = this.#albums.find((known) => known.name === album.parent);
      element.append(hidden(`${parent ? albumTitle(parent) : album.parent} › `));
    }
    element.append(albumTitle(album));
  }

  #fullTitle(album) {
    const parent = album.parent ? this.#albums.find((known) => known.name === album.parent) : null;
    const title = albumTitle(album);
    return parent ? t("album.sub", { parent: isolate(albumTitle(parent)), album: isolate(title) }) : title;
  }

  #makeOption(album) {
    const option = document.createElement("option");
    option.value = album.name;
    option.dataset.count = String(album.count);
    if (album.parent) option.classList.add("sub-album");
    const cover = document.createElement("img");
    cover.className = "album-cover";
    cover.alt = "";
    cover.width = COVER;
    cover.height = COVER;
    cover.loading = "lazy";
    if (album.cover) cover.src = variantUrl(coverPicture(album.cover), COVER, COVER, { dpr: devicePixelRatio });
    option.append(cover, span("album-title"), span("album-count"));
    if (album.private === true) {
      option.dataset.private = "true";
      option.append(span("album-private"));
    }
    return option;
  }

  // The picker's tooltip: the whole title of the album picked.
  #showTooltip() {
    this.#select.title = this.#select.selectedOptions[0]?.title ?? "";
  }
}
