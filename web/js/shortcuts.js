// SPDX-License-Identifier: MIT
// Single-key shortcuts (G, L, F, C, D and the arrow keys). A screen reader's own
// quick keys can clash with them, so a checkbox turns them off (WCAG
// 2.1.4), and the choice is remembered. Keys are matched by position
// (event.code), so they work on a Persian keyboard too.
const STORAGE_KEY = "rndimg.shortcuts";
const TEXT_ENTRY = "input:not([type=checkbox]):not([type=radio]):not([type=file]), textarea, select, [contenteditable]";

function load() {
  try {
    return localStorage.getItem(STORAGE_KEY) !== "off";
  } catch {
    return true;
  }
}

function save(on) {
  try {
    localStorage.setItem(STORAGE_KEY, on ? "on" : "off");
  } catch {
    // storage refused: the choice lasts for this visit only
  }
}

// aria-keyshortcuts only while the shortcuts work: [data-shortcut] names the key.
function announceKeys(on) {
  for (const element of document.querySelectorAll("[data-shortcut]")) {
    if (on) element.setAttribute("aria-keyshortcuts", element.dataset.shortcut);
    else element.removeAttribute("aria-keyshortcuts");
  }
}

// actions: { KeyG: fn, ArrowLeft: fn, … }
export function installShortcuts(toggle, actions) {
  toggle.checked = load();
  announceKeys(toggle.checked);
  toggle.addEventListener("change", () => {
    save(toggle.checked);
    announceKeys(toggle.checked);
  });
  document.addEventListener("keydown", (event) => {
    if (!toggle.checked || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (event.target.closest?.(TEXT_ENTRY)) return;   // typing, not commanding
    if (event.target.closest?.("dialog")) return;     // full screen has keys of its own
    const action = actions[event.code];
    if (!action) return;
    event.preventDefault();
    action();
  });
}
