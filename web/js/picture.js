// SPDX-License-Identifier: MIT
// Shows pictures: each one is fully loaded and decoded off-screen first, so
// the old picture (or the empty placeholder) stays until the new one can
// replace it. A newer request wins over an older one. Keeps the Download
// and Open links pointing at the picture shown.
export class PictureView {
  constructor({ stage, image, caption, download, open, actions }) {
    Object.assign(this, { stage, image, caption, download, open, actions });
    this.generation = 0;
    this.url = null;
  }

  // Resolves true once shown, false when a newer picture overtook it;
  // throws when the picture cannot be loaded. With @placeholder (a data:
  // URL of its BlurHash or colour) that stands in its place meanwhile, in
  // the same box: no blank, no jump.
  async show(url, description, altText, placeholder = null) {
    const generation = ++this.generation;
    const next = new Image();
    next.src = url;
    if (placeholder) {
      this.image.src = placeholder;
      this.image.alt = altText;
      this.image.hidden = false;
      this.stage.dataset.empty = "false";
      this.stage.dataset.loading = "true";
    }
    try {
      await next.decode();
    } finally {
      if (generation === this.generation) delete this.stage.dataset.loading;
    }
    if (generation !== this.generation) return false;
    this.url = url;
    this.image.src = url;
    this.image.alt = altText;
    this.image.hidden = false;
    this.stage.dataset.empty = "false";
    this.caption.textContent = description;
    this.download.href = url;
    this.download.download = nameOf(url);
    this.open.href = url;
    this.actions.hidden = false;
    return true;
  }

  // The catalogue's name ("023.png", "dogs/001.png"), as exclude takes it.
  get currentName() {
    return this.url ? pictureName(this.url) : null;
  }
}

export function pictureName(url) {
  const path = new URL(url, location.href).pathname;
  const start = path.indexOf("/static/img/");
  return start >= 0 ? decodeURIComponent(path.slice(start + "/static/img/".length)) : nameOf(url);
}

export function nameOf(url) {
  return decodeURIComponent(new URL(url, location.href).pathname.split("/").pop());
}
