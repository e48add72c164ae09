// SPDX-License-Identifier: MIT
// The album picker: "All pictures" and every album the server has (a
// sub-album under its parent). The choice is kept in the page's URL
// (?album=) and in localStorage, so a reload or a shared link keeps it.
import { API, getJson } from "./api.js";

const STORAGE_KEY = "rndimg.album";
const ALBUM_NAME = /^[a-z0-9_-]{1,64}(\/[a-z0-9_-]{1,64})?$/;

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

export class AlbumPicker {
  // onChange(album): "" for all pictures.
  constructor(select, onChange) {
    this.select = select;
    // Hidden until the server turns out to have albums: none, nothing to pick.
    this.picker = select.closest("label") ?? select;
    this.picker.hidden = true;
    this.onChange = onChange;
    const wanted = new URLSearchParams(location.search).get("album") ?? stored() ?? "";
    this.album = ALBUM_NAME.test(wanted) ? wanted : "";
    select.addEventListener("change", () => this.choose(select.value));
  }

  // Fills the list from the server; an album that is gone falls back to all.
  async load() {
    let answer;
    try {
      answer = await getJson(`${API}/albums`);
    } catch {
      return;   // no list: "All pictures" still works
    }
    for (const album of answer.albums) {
      const option = document.createElement("option");
      option.value = album.name;
      option.textContent = album.parent ? `${album.parent} › ${album.name.slice(album.parent.length + 1)}` : album.name;
      option.dataset.count = album.count;
      this.select.append(option);
    }
    if (!answer.albums.some((album) => album.name === this.album)) this.album = "";
    this.select.value = this.album;
    this.picker.hidden = answer.albums.length === 0;
  }

  choose(album) {
    if (album === this.album) return;
    this.album = album;
    remember(album);
    const url = new URL(location.href);
    if (album) url.searchParams.set("album", album);
    else url.searchParams.delete("album");
    history.replaceState(null, "", url);
    this.onChange(album);
  }
}
