// SPDX-License-Identifier: MIT
// The footer's access token (a token or JWT that may read private albums,
// docs/operating.md): kept in this tab's sessionStorage only, so it leaves
// with the tab and is never on disk or in a URL the page loads; api.js
// sends it. Imported when a token is first given or forgotten.
import { t } from "./i18n.js";

function keep(token) {
  try {
    if (token) sessionStorage.setItem("rndimg-token", token);
    else sessionStorage.removeItem("rndimg-token");
  } catch {
    // No storage (a sandboxed frame): nothing to keep it in.
  }
}

// A credential given ("" forgotten): the albums, the counts and Live again,
// as it may see them; forgotten, its private pictures leave the page.
// page: { field, showState(), status, pictureChanges(), stopLive(),
// reload() (albums and counts), startLive(), announce(text) }
export async function useToken(token, page) {
  keep(token);
  page.field.value = "";
  page.showState();
  page.status.clearError("error.token");
  if (!token) (await page.pictureChanges()).dropPrivate();
  page.stopLive();
  await page.reload();
  page.startLive();
  page.announce(t(token ? "token.used" : "token.forgotten"));
}
