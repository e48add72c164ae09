// SPDX-License-Identifier: MIT
// URLs of picture variants (/img/NAME/WxH[@Dx][?fit=...]) for a picture's
// /static/img/ URL. No extension: the server picks AVIF or WebP from the
// browser's Accept. The short spelling redirects to the canonical,
// immutable URL, so the browser caches each variant for a year.
export function variantUrl(url, width, height, { dpr = 1, fit } = {}) {
  const parsed = new URL(url, location.href);
  // The catalogue's name is one segment of a variant's path: an album's
  // picture ("dogs/001.png") has its slashes escaped.
  const start = parsed.pathname.indexOf("/static/img/");
  const name = start >= 0 ? parsed.pathname.slice(start + "/static/img/".length).replaceAll("/", "%2F")
                          : parsed.pathname.split("/").pop();
  const ratio = dpr > 1 ? `@${dpr}x` : "";
  const query = fit ? `?fit=${fit}` : "";
  return `${parsed.origin}/img/${name}/${width}x${height}${ratio}${query}`;
}

// A srcset of one box at 1x, 2x and 3x.
export function densitySrcset(url, width, height, options = {}) {
  return [1, 2, 3].map((dpr) => `${variantUrl(url, width, height, { ...options, dpr })} ${dpr}x`).join(", ");
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
