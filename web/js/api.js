// SPDX-License-Identifier: MIT
// The rndimg JSON API, as the page uses it. Errors carry a kind (and the
// HTTP status) rather than English text, so the page can say what went
// wrong in the visitor's language.
export const API = "/polling/api/v1.0";

// The tab's credential (access.js); none in a worker.
export function currentToken() {
  try {
    return globalThis.sessionStorage?.getItem("rndimg-token") ?? "";
  } catch {
    return "";
  }
}

function authHeaders() {
  const token = currentToken();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/**
 * A picture's details, as every answer and event carries them (docs/api.md).
 * @typedef {object} PictureDetails
 * @property {string} url the file itself (/static/img/NAME)
 * @property {string} [name] the catalogue's name: "023.png", "dogs/001.png"
 * @property {string|null} [album]
 * @property {number} [width] in pixels, from the file's header
 * @property {number} [height]
 * @property {string|null} [variant_version] the content hash variant URLs carry
 * @property {string|null} [blurhash]
 * @property {string|null} [colour] the average, "#rrggbb"
 * @property {string|null} [alt] the owner's text (info.json)
 * @property {Object<string, string>|null} [alt_by_language]
 * @property {string|null} [author]
 * @property {string|null} [license]
 * @property {string|null} [source_url]
 * @property {string|null} [signature] a private picture's variant URLs' query
 */

/**
 * An event (type: published, removed, changed, moved, album-…), with the picture's details.
 * @typedef {PictureDetails & { id: number, type?: string, from?: string, message: string|null, source: string,
 *   published_at: string }} PictureEvent
 */

/**
 * An album of /albums.
 * @typedef {object} Album
 * @property {string} name "squares", "squares/small"
 * @property {string|null} parent
 * @property {number} count its pictures, its sub-albums' included
 * @property {string|null} cover the first picture's URL
 * @property {string|null} [title] its owner's title, when it has one
 * @property {boolean} [private]
 */

/**
 * What an upload may be (/stats).
 * @typedef {object} UploadLimits
 * @property {number} maxBytes
 * @property {string[]} types
 */

export class ApiError extends Error {
  // kind: "unreachable" (no answer), "unreadable" (not our JSON) or "http"
  constructor(kind, status = 0, serverMessage = "") {
    super(serverMessage || `${kind} ${status}`);
    this.kind = kind;
    this.status = status;
    this.serverMessage = serverMessage;
  }
}

function checkAnswer(status, body) {
  if (body === undefined) throw new ApiError("unreadable", status);
  if (status < 200 || status >= 300 || body?.status !== "success") {
    throw new ApiError("http", status, typeof body?.message === "string" ? body.message : "");
  }
  return body;
}

export async function getJson(path, options = {}) {
  let response;
  try {
    response = await fetch(path, { cache: "no-store", ...options, headers: { ...authHeaders(), ...options.headers } });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError("unreachable");
  }
  if (response.status === 204) return null;
  const body = await response.json().catch(() => undefined);
  return checkAnswer(response.status, body);
}

/**
 * One random picture: { message (its URL), image (its details) }.
 * @param {string|null} exclude a name not to get (the one shown)
 * @param {string} album "" for all pictures
 * @param {AbortSignal} [signal]
 */
export function randomPicture(exclude, album = "", signal = undefined) {
  const query = new URLSearchParams();
  if (exclude) query.set("exclude", exclude);
  if (album) query.set("album", album);
  const text = query.toString();
  return getJson(`${API}/rndimg${text ? `?${text}` : ""}`, { signal });
}

// The page preloads these two (index.html): the fetch takes the preloaded
// answer, but with a credential, which the preload lacked, asks again (an
// empty query: Chromium matches a preload by its URL alone).
function preloaded(path) {
  return currentToken() ? getJson(`${path}?`) : getJson(path, { cache: "default" });
}

export function stats() {
  return preloaded(`${API}/stats`);
}

/** @returns {Promise<Album[]>} */
export async function listAlbums() {
  return (await preloaded(`${API}/albums`)).albums;
}

/**
 * @param {object} stats /stats's answer
 * @returns {UploadLimits}
 */
export function uploadLimits(stats) {
  return {
    maxBytes: Number.isInteger(stats?.max_upload_bytes) ? stats.max_upload_bytes : Infinity,
    types: Array.isArray(stats?.upload_types) ? stats.upload_types : ["image/png", "image/jpeg", "image/gif", "image/webp"],
  };
}

/**
 * Sends a picture. XMLHttpRequest rather than fetch: fetch cannot report
 * upload progress. onProgress(fraction) is called as the bytes go out;
 * an abort of signal stops the upload (an AbortError).
 * @returns {Promise<PictureEvent>}
 */
export function uploadPicture(file, { album = "", onProgress = () => {}, signal = undefined } = {}) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", `${API}/images${album ? `?album=${encodeURIComponent(album)}` : ""}`);
    request.responseType = "text";
    for (const [name, value] of Object.entries(authHeaders())) request.setRequestHeader(name, value);
    request.upload.onprogress = (progress) => {
      if (progress.lengthComputable) onProgress(progress.loaded / progress.total);
    };
    request.onload = () => {
      let body;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        body = undefined;
      }
      try {
        resolve(checkAnswer(request.status, body));
      } catch (error) {
        reject(error);
      }
    };
    request.onerror = () => reject(new ApiError("unreachable"));
    request.onabort = () => reject(new DOMException("The upload was cancelled", "AbortError"));
    signal?.addEventListener("abort", () => request.abort(), { once: true });
    const form = new FormData();
    form.append("image", file);
    request.send(form);
  });
}
