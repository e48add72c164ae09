// SPDX-License-Identifier: MIT
// The rndimg JSON API, as the page uses it.
export const API = "/polling/api/v1.0";

export class ApiError extends Error {
  constructor(message, status = 0) {
    super(message);
    this.status = status;
  }
}

// fetch + JSON with readable errors: the server's own message when it sent
// one, else what went wrong on the way.
export async function getJson(path, options = {}) {
  let response;
  try {
    response = await fetch(path, { cache: "no-store", ...options });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError("The server cannot be reached.");
  }
  if (response.status === 204) return null;
  let body = null;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`The server sent an unreadable answer (HTTP ${response.status}).`, response.status);
  }
  if (!response.ok || body?.status !== "success") {
    throw new ApiError(body?.message ?? `The server answered HTTP ${response.status}.`, response.status);
  }
  return body;
}

export function randomPicture(exclude) {
  const query = exclude ? `?exclude=${encodeURIComponent(exclude)}` : "";
  return getJson(`${API}/rndimg${query}`);
}

export function stats() {
  return getJson(`${API}/stats`);
}

export function uploadPicture(file) {
  const form = new FormData();
  form.append("image", file);
  return getJson(`${API}/images`, { method: "POST", body: form });
}
