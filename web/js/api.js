// SPDX-License-Identifier: MIT
// The rndimg JSON API, as the page uses it. Errors carry a kind (and the
// HTTP status) rather than English text, so the page can say what went
// wrong in the visitor's language.
export const API = "/polling/api/v1.0";

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
    response = await fetch(path, { cache: "no-store", ...options });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError("unreachable");
  }
  if (response.status === 204) return null;
  const body = await response.json().catch(() => undefined);
  return checkAnswer(response.status, body);
}

// album: "" for all pictures.
export function randomPicture(exclude, album = "") {
  const query = new URLSearchParams();
  if (exclude) query.set("exclude", exclude);
  if (album) query.set("album", album);
  const text = query.toString();
  return getJson(`${API}/rndimg${text ? `?${text}` : ""}`);
}

export function stats() {
  return getJson(`${API}/stats`);
}

// XMLHttpRequest rather than fetch: fetch cannot report upload progress.
// onProgress(fraction) is called as the bytes go out.
export function uploadPicture(file, onProgress, album = "") {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", `${API}/images${album ? `?album=${encodeURIComponent(album)}` : ""}`);
    request.responseType = "text";
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
    const form = new FormData();
    form.append("image", file);
    request.send(form);
  });
}
