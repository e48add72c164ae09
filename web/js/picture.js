// SPDX-License-Identifier: MIT
// Shows pictures: each one is fully loaded and decoded off-screen first, so
// the old picture (or the empty placeholder) stays until the new one can
// replace it. A newer request wins over an older one. Keeps the Download
// and Open links pointing at the picture shown.
import { variantUrl } from "./variants.js";

// At most the stage's width (520 CSS pixels) at 1x and 2x; never enlarged.
function stageSrcset(url) {
  return `${variantUrl(url, 520, 520, { fit: "inside" })} 1x, ${variantUrl(url, 520, 520, { fit: "inside", dpr: 2 })} 2x`;
}

export class PictureView {
  constructor({ stage, image, caption, download, open, actions }) {
    Object.assign(this, { stage, image, caption, download, open, actions });
    this.generation = 0;
    this.url = null;
  }

  // Resolves true once shown, false when a newer picture overtook it;
  // throws when the picture cannot be loaded.
  async show(url, description, altText) {
    const generation = ++this.generation;
    let srcset = stageSrcset(url);
    try {
      await load(url, srcset);
    } catch {
      // No variant to be had (the render queue full, an old server): the file itself.
      srcset = "";
      await load(url, srcset);
    }
    if (generation !== this.generation) return false;
    this.url = url;
    if (srcset) this.image.srcset = srcset;
    else this.image.removeAttribute("srcset");
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

  get currentName() {
    return this.url ? nameOf(this.url) : null;
  }
}

async function load(url, srcset) {
  const next = new Image();
  if (srcset) next.srcset = srcset;
  next.src = url;
  await next.decode();
}

export function nameOf(url) {
  return decodeURIComponent(new URL(url, location.href).pathname.split("/").pop());
}
