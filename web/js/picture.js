// SPDX-License-Identifier: MIT
// Shows pictures: each one is fully loaded and decoded off-screen first, so
// the old picture stays until the new one can replace it (no flash of a
// broken or half-drawn image). A newer request wins over an older one.
export class PictureView {
  constructor(stage, image, caption) {
    this.stage = stage;
    this.image = image;
    this.caption = caption;
    this.generation = 0;
  }

  // Resolves true once shown, false when a newer picture overtook it.
  async show(url, description) {
    const generation = ++this.generation;
    const next = new Image();
    next.src = url;
    try {
      await next.decode();
    } catch {
      throw new Error(`The picture ${nameOf(url)} could not be loaded.`);
    }
    if (generation !== this.generation) return false;
    this.image.src = url;
    this.image.alt = `Random picture ${nameOf(url)}`;
    this.stage.dataset.empty = "false";
    this.caption.textContent = description;
    return true;
  }

  get currentName() {
    return this.image.getAttribute("src") ? nameOf(this.image.src) : null;
  }
}

export function nameOf(url) {
  return decodeURIComponent(new URL(url, location.href).pathname.split("/").pop());
}
