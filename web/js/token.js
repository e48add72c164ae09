// SPDX-License-Identifier: MIT
// The visitor's credential (a token or a JWT, docs/api.md "Who may do
// what"): kept in this tab's session storage, so it leaves with the tab
// and is never written to disk by the page; sent as
// "Authorization: Bearer" on every API request, and as ?access_token=
// where a browser cannot set a header (EventSource). Where there is no
// session storage (a worker), there is no credential.
const KEY = "rndimg-token";

export function currentToken() {
  try {
    return globalThis.sessionStorage?.getItem(KEY) ?? "";
  } catch {
    return "";   // storage refused (a sandboxed frame)
  }
}

// "" forgets it.
export function setToken(token) {
  try {
    if (token) sessionStorage.setItem(KEY, token);
    else sessionStorage.removeItem(KEY);
  } catch {
    // No storage: the credential lasts as long as nothing asks for it again.
  }
}

export function authHeaders(token = currentToken()) {
  return token ? { Authorization: `Bearer ${token}` } : {};
}

// @query (URLSearchParams) with access_token added when there is a credential.
export function addAccessToken(query, token = currentToken()) {
  if (token) query.set("access_token", token);
  return query;
}

// A short name of @token for the names of what tabs share (channels,
// locks): tabs share a live connection only with tabs of the same
// credential, and the name does not give the credential away (FNV-1a).
export function tokenTag(token = currentToken()) {
  if (!token) return "";
  let hash = 0x811c9dc5;
  for (let i = 0; i < token.length; i++) hash = Math.imul(hash ^ token.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, "0");
}
