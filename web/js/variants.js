// SPDX-License-Identifier: MIT
// URLs of picture variants, built from a picture's details (its url, name
// and variant_version, as every answer and event gives them). With the
// version it is the one canonical, immutable URL the server answers with
// bytes (/img/NAME/VERSION/WxH[.ext][?options], docs/api.md): no redirect,
// and the browser caches it for a year. Without one (an older server, a
// picture whose hash is not computed yet) the short spelling
// (/img/NAME/WxH[@Dx][?options]), which the server redirects to it.
const DEFAULT_QUALITY = { jpg: 80, webp: 75, avif: 50 };
const VERSION = /^[0-9a-f]{16}$/;   // the first 16 hex digits of the file's SHA-256

// A device pixel ratio in hundredths, as the server reads "@1.5x".
const hundredths = (dpr) => Math.min(300, Math.max(100, Math.round(dpr * 100)));

// The server's rounding of a side times the ratio (scale() in rndimg-variant.c).
const scaled = (side, dpr) => Math.floor((side * hundredths(dpr) + 50) / 100);

// The catalogue's name ("023.png", "dogs/001.png"): the details', else
// what follows /static/img/ in the picture's URL.
function nameOf(picture, parsed) {
  if (typeof picture.name === "string" && picture.name) return picture.name;
  const start = parsed.pathname.indexOf("/static/img/");
  return decodeURIComponent(start >= 0 ? parsed.pathname.slice(start + "/static/img/".length)
                                       : parsed.pathname.split("/").pop());
}

// The options in the canonical order (fit, crop, q, grayscale, blur,
// enlarge), defaults left out. blur: 1 to 10 (true: the server's 5).
function optionsQuery({ fit = "cover", crop = "centre", format = "", quality, grayscale, blur, enlarge }) {
  const options = [];
  if (fit !== "cover") options.push(`fit=${fit}`);
  if (fit === "cover" && crop !== "centre" && crop !== "center") options.push(`crop=${crop}`);
  if (quality && quality !== DEFAULT_QUALITY[format]) options.push(`q=${quality}`);
  if (grayscale) options.push("grayscale");
  if (blur) options.push(`blur=${blur === true ? 5 : blur}`);
  if (fit === "inside" && enlarge) options.push("enlarge");
  return options.length ? `?${options.join("&")}` : "";
}

// A private picture's signature ("expires=…&sig=…") after the options.
function signed(query, signature) {
  if (typeof signature !== "string" || !signature) return query;
  return `${query}${query ? "&" : "?"}${signature}`;
}

// picture: { url, name?, variant_version?, signature? }. width x height in
// CSS pixels at dpr; format "" lets the server choose from Accept (AVIF, WebP).
export function variantUrl(picture, width, height, { dpr = 1, format: asked = "", ...options } = {}) {
  const format = asked === "jpeg" ? "jpg" : asked;
  const parsed = new URL(picture.url, globalThis.location?.href);
  // One path segment: an album's slash is written %2F.
  const name = encodeURIComponent(nameOf(picture, parsed));
  const extension = format ? `.${format}` : "";
  const query = signed(optionsQuery({ format, ...options }), picture.signature);
  if (VERSION.test(picture.variant_version ?? "")) {
    return `${parsed.origin}/img/${name}/${picture.variant_version}/` +
           `${scaled(width, dpr)}x${scaled(height, dpr)}${extension}${query}`;
  }
  const ratio = hundredths(dpr) > 100 ? `@${hundredths(dpr) / 100}x` : "";
  return `${parsed.origin}/img/${name}/${width}x${height}${ratio}${extension}${query}`;
}

// The widths a picture is offered at: a phone's at 1x up to a large
// screen's at 2x. The server renders at most 5000 px a side.
const WIDTHS = [320, 480, 640, 800, 1024, 1280, 1600, 2048, 2560, 3200, 4096];
const MAX_SIDE = 5000;

// A srcset of width descriptors for a picture whose pixel size is known
// (details.width and height): every step below its own width, and its own
// width, never more (a picture smaller than its box is asked at its size).
// "" when the size is not known.
export function widthSrcset(picture, options = {}) {
  const { width, height } = picture;
  if (!(width > 0 && height > 0)) return "";
  const largest = Math.min(width, MAX_SIDE, Math.floor(MAX_SIDE * width / height));
  const widths = [...WIDTHS.filter((step) => step < largest), largest];
  return widths.map((step) => `${variantUrl(picture, step, 0, options)} ${step}w`).join(", ");
}

// A srcset of one box at 1x, 2x and 3x.
export function densitySrcset(picture, width, height, options = {}, ratios = [1, 2, 3]) {
  return ratios.map((dpr) => `${variantUrl(picture, width, height, { ...options, dpr })} ${dpr}x`).join(", ");
}

// Falls back to the original file when a variant cannot be had (the
// render queue full, an old server without variants).
export function fallBackToOriginal(image, url) {
  image.addEventListener("error", () => {
    if (!image.srcset) return;
    image.removeAttribute("srcset");
    image.src = url;
  }, { once: true });
}
