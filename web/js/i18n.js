// SPDX-License-Identifier: MIT
// Translations: one JSON catalogue per language in web/i18n/, fetched at
// start (no build step). The language is the one the visitor picked (kept
// in localStorage), else the first of navigator.languages we have, else
// English. Sets <html lang dir>, fills every [data-i18n] element, and
// formats numbers, sizes and times with Intl in that language. A
// catalogue's URL is the one the page gives ([data-catalogue] on its
// language's option: rndimg-server names it by its content hash there, so
// the browser keeps it), else i18n/CODE.json.
export const LANGUAGES = ["en", "fa"];
const RIGHT_TO_LEFT = new Set(["fa"]);
const STORAGE_KEY = "rndimg.language";

let language = "en";
let catalogue = {};
let fallback = {};

export function chooseLanguage(stored, preferred) {
  if (LANGUAGES.includes(stored)) return stored;
  for (const tag of preferred ?? []) {
    const primary = String(tag).toLowerCase().split("-")[0];
    if (LANGUAGES.includes(primary)) return primary;
  }
  return "en";
}

export function storedLanguage() {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;   // storage refused (privacy settings): just do not remember
  }
}

export function rememberLanguage(code) {
  try {
    localStorage.setItem(STORAGE_KEY, code);
  } catch {
    // as above
  }
}

function catalogueUrl(code) {
  const declared = globalThis.document?.querySelector(`[data-catalogue][value="${code}"]`);
  return declared?.getAttribute("data-catalogue") ?? `i18n/${code}.json`;
}

async function fetchCatalogue(code) {
  const url = catalogueUrl(code);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

// Loads the catalogue (English stays the fallback for a missing key) and
// translates the document. A catalogue that cannot be had leaves English.
export async function setLanguage(code) {
  if (!Object.keys(fallback).length) fallback = await fetchCatalogue("en").catch(() => ({}));
  try {
    catalogue = code === "en" ? fallback : await fetchCatalogue(code);
    language = code;
  } catch {
    catalogue = fallback;
    language = "en";
  }
  document.documentElement.lang = language;
  document.documentElement.dir = RIGHT_TO_LEFT.has(language) ? "rtl" : "ltr";
  translateDocument();
  return language;
}

export function currentLanguage() {
  return language;
}

// t("picture.caption", { id: 4 }): "{id}" is replaced, numbers formatted
// for the language (Persian digits in Persian).
export function t(key, params = {}) {
  const text = catalogue[key] ?? fallback[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => {
    const value = params[name];
    return typeof value === "number" ? formatNumber(value) : String(value ?? "");
  });
}

// A count in words: "{key}.one" or "{key}.other" (the language's plural
// rules), with {count} formatted.
export function tn(key, count, params = {}) {
  const rule = new Intl.PluralRules(language).select(count);
  const wanted = `${key}.${rule}`;
  const known = catalogue[wanted] ?? fallback[wanted];
  return t(known !== undefined ? wanted : `${key}.other`, { ...params, count });
}

// A name (file name, number) in a sentence of the other direction: kept
// whole and in its own direction by Unicode isolates (FSI … PDI).
export function isolate(text) {
  return `\u2068${text}\u2069`;
}

export function formatNumber(number) {
  return new Intl.NumberFormat(language, { useGrouping: false }).format(number);
}

// 0.38 -> "38 %" (as the language writes it).
export function formatPercent(fraction) {
  return new Intl.NumberFormat(language, { style: "percent", maximumFractionDigits: 0 }).format(fraction);
}

// Bytes as a person reads them: "820 kB", "3.2 MB".
export function formatBytes(bytes) {
  const [unit, size] = bytes >= 1e6 ? ["megabyte", bytes / 1e6] : bytes >= 1e3 ? ["kilobyte", bytes / 1e3] : ["byte", bytes];
  return new Intl.NumberFormat(language, { style: "unit", unit, maximumFractionDigits: 1 }).format(size);
}

export function formatTime(value) {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return new Intl.DateTimeFormat(language, { timeStyle: "medium" }).format(date);
}

// data-i18n="key" sets the text; data-i18n-attrs="title:key aria-label:key"
// sets attributes.
export function translateDocument(root = document) {
  for (const element of root.querySelectorAll("[data-i18n]")) {
    element.textContent = t(element.dataset.i18n);
  }
  for (const element of root.querySelectorAll("[data-i18n-attrs]")) {
    for (const pair of element.dataset.i18nAttrs.split(" ")) {
      const [attribute, key] = pair.split(":");
      element.setAttribute(attribute, t(key));
    }
  }
}
