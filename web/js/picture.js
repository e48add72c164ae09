// SPDX-License-Identifier: MIT
// Shows pictures: each one is fully loaded and decoded off-screen first, so
// the old picture (or the empty placeholder) stays until the new one can
// replace it. A newer request wins over an older one. Keeps the Download
// and Open links pointing at the picture shown (the file itself); the page
// shows a variant no larger than the stage.
import { densitySrcset } from "./variants.js";

// At most the stage's width (520 CSS pixels) at 1x and 2x; never enlarged.
// picture: the details ({ url, name, variant_version }) or just { url }.
function stageSrcset(picture) {
  return densitySrcset(picture, 520, 520, { fit: "inside" }, [1, 2]);
}

async function load(url, srcset) {
  const next = new Image();
  if (srcset) next.srcset = srcset;
  next.src = url;
  await next.decode();
}

export class PictureView {
  constructor({ stage, image, caption, download, open, actions }) {
    Object.assign(this, { stage, image, caption, download, open, actions });
    this.generation = 0;
    this.url = null;
  }

  // Resolves true once shown, false when a newer picture overtook it;
  // throws when the picture cannot be loaded. With @placeholder (a data:
  // URL of its BlurHash or colour) that stands in its place meanwhile, in
  // the same box: no blank, no jump. @details (the picture's, with its
  // variant_version) give the variants' canonical URLs.
  async show(url, description, altText, { placeholder = null, details = null } = {}) {
    const generation = ++this.generation;
    let srcset = stageSrcset({ ...details, url });
    if (placeholder) {
      this.image.removeAttribute("srcset");
      this.image.src = placeholder;
      this.image.alt = altText;
      // The placeholder stands for the new picture: so does the caption.
      this.caption.textContent = description;
      this.image.hidden = false;
      this.stage.dataset.empty = "false";
      this.stage.dataset.loading = "true";
    }
    try {
      await load(url, srcset).catch(() => {
        // No variant to be had (the render queue full, an old server): the file itself.
        srcset = "";
        return load(url, srcset);
      });
      if (generation !== this.generation) return false;
      this.url = url;
      if (srcset) this.image.srcset = srcset;
      else this.image.removeAttribute("srcset");
      this.image.src = url;
      // Decoded already (above): the shown element has it within a frame.
      await this.image.decode().catch(() => {});
    } finally {
      if (generation === this.generation) delete this.stage.dataset.loading;
    }
    if (generation !== this.generation) return false;
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
