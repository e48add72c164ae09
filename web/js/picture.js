// SPDX-License-Identifier: MIT
// The stage: one picture at a time, large and in its own shape. Its box is
// sized from the pixel size the answer carries before a byte of it comes
// (CSS --w and --h), so nothing jumps; its BlurHash (or colour) fills that
// box while it loads, with a small busy sign. The moment a picture is
// asked for, everything on the stage is its own: caption, Download, Open,
// the full screen button. The picture is loaded and decoded off-screen
// first, then swapped in; a newer picture wins over an older one; one that
// cannot be loaded gives the stage back to the one shown before. The
// variants come by srcset width descriptors with sizes set to the box's
// width, never wider than the picture itself.
import { altTextOf, nameOf } from "./caption.js";
import { widthSrcset } from "./variants.js";

/** @typedef {import("./caption.js").Entry} Entry */

// The stage asks for WebP: with Debian's libaom an AVIF variant takes the
// server six to ten times longer to make (1.8 s of CPU against 0.27 s for
// a 1024 px one), and the stage's picture is what a visitor waits for.
export const STAGE_FORMAT = { format: "webp" };

async function decodeOffscreen(url, srcset, sizes) {
  const next = new Image();
  if (srcset) {
    next.sizes = sizes;
    next.srcset = srcset;
  }
  next.src = url;
  await next.decode();
  return next;
}

// The catalogue's name ("023.png", "dogs/001.png"), as exclude takes it.
export function pictureName(url) {
  const path = new URL(url, location.href).pathname;
  const start = path.indexOf("/static/img/");
  return start >= 0 ? decodeURIComponent(path.slice(start + "/static/img/".length)) : nameOf(url);
}

export class PictureView {
  #stage;
  #frame;
  #button;
  #image;
  #caption;
  #actions;
  #download;
  #open;
  #placeholderFor;
  #generation = 0;
  #shown = null;      // the entry whose picture is in
  #current = null;    // the entry the stage belongs to: shown, or on its way

  // placeholderFor(entry): a data: URL of its BlurHash or colour, or null.
  constructor({ stage, frame, button, image, caption, actions, download, open }, placeholderFor) {
    this.#stage = stage;
    this.#frame = frame;
    this.#button = button;
    this.#image = image;
    this.#caption = caption;
    this.#actions = actions;
    this.#download = download;
    this.#open = open;
    this.#placeholderFor = placeholderFor;
    new ResizeObserver(() => this.#fitSizes()).observe(frame);
  }

  /** The entry the stage belongs to (shown, or loading), or null. */
  get current() {
    return this.#current;
  }

  // Its catalogue name, for exclude.
  get currentName() {
    return this.#current ? pictureName(this.#current.url) : null;
  }

  // Resolves true once shown, false when a newer picture overtook it;
  // throws when it cannot be loaded (the stage then shows the one before).
  async show(entry) {
    const generation = ++this.#generation;
    this.#present(entry);
    const placeholder = this.#placeholderFor(entry);
    this.#image.removeAttribute("srcset");
    if (placeholder) {
      this.#image.src = placeholder;
      this.#image.hidden = false;
    } else if (entry.details?.width > 0) {
      this.#image.hidden = true;   // the box in its shape, empty, rather than the old picture in it
    }
    this.#setBusy(true);
    let loaded;
    const sizes = this.#sizes();
    let srcset = entry.details ? widthSrcset({ ...entry.details, url: entry.url }, STAGE_FORMAT) : "";
    try {
      loaded = await decodeOffscreen(entry.url, srcset, sizes).catch(() => {
        srcset = "";   // no variant to be had (the render queue full, an old server): the file itself
        return decodeOffscreen(entry.url, "", sizes);
      });
    } catch (error) {
      if (generation !== this.#generation) return false;   // overtaken: its failure no longer matters
      this.restore();
      throw error;
    }
    if (generation !== this.#generation) return false;
    if (!(entry.details?.width > 0)) this.#setShape(loaded.naturalWidth, loaded.naturalHeight);
    this.#setSources(entry.url, srcset);
    this.#image.hidden = false;
    // Decoded already (above): the shown element has it within a frame.
    await this.#image.decode().catch(() => {});
    if (generation !== this.#generation) return false;
    this.#shown = entry;
    this.#setBusy(false);
    return true;
  }

  // Back to the picture shown before (after a failure or a cancelled
  // upload), or to the empty stage.
  restore() {
    ++this.#generation;
    this.#setBusy(false);
    const entry = this.#shown;
    if (!entry) {
      this.#current = null;
      this.#image.hidden = true;
      this.#image.removeAttribute("srcset");
      this.#image.removeAttribute("src");
      this.#stage.dataset.empty = "true";
      this.#nameButton(false);
      this.#button.disabled = true;
      this.#actions.hidden = true;
      this.#caption.render(null);
      return;
    }
    this.#present(entry);
    this.#setSources(entry.url, entry.details ? widthSrcset({ ...entry.details, url: entry.url }, STAGE_FORMAT) : "");
    this.#image.hidden = false;
  }

  // New words for @entry's picture, which stays.
  refresh(entry) {
    if (this.#shown?.key === entry.key) this.#shown = entry;
    if (this.#current?.key !== entry.key) return;
    this.#current = entry;
    this.#image.alt = altTextOf(entry);
    this.#caption.render(entry);
  }

  // The picture is gone: the empty stage.
  clear() {
    this.#shown = null;
    this.restore();
  }

  // A file of one's own, shown from the browser's memory while it uploads.
  async preview(url, name, sizeText) {
    ++this.#generation;
    this.#current = null;
    this.#stage.dataset.empty = "false";
    this.#nameButton(true);
    this.#setBusy(false);
    this.#button.disabled = true;
    this.#actions.hidden = true;
    this.#caption.renderUpload(name, sizeText);
    this.#image.removeAttribute("srcset");
    this.#image.alt = name;
    this.#image.src = url;
    this.#image.hidden = false;
    try {
      await this.#image.decode();
      this.#setShape(this.#image.naturalWidth, this.#image.naturalHeight);
    } catch {
      // Not a picture the browser can show: the box keeps its shape.
    }
  }

  // After a language change: the caption and alt text again.
  retranslate() {
    if (this.#current) {
      this.#caption.render(this.#current);
      this.#image.alt = altTextOf(this.#current);
    } else if (!this.#shown) {
      this.#caption.render(null);
    }
  }

  // Everything on the stage now belongs to @entry.
  #present(entry) {
    this.#current = entry;
    if (entry.details?.width > 0 && entry.details?.height > 0) this.#setShape(entry.details.width, entry.details.height);
    this.#stage.dataset.empty = "false";
    this.#nameButton(true);
    this.#button.disabled = false;
    this.#image.alt = altTextOf(entry);
    this.#caption.render(entry);
    this.#download.href = entry.url;
    this.#download.download = nameOf(entry.url);
    this.#open.href = entry.url;
    this.#actions.hidden = false;
  }

  // The picture's button is named by the caption's title (the picture's
  // name in words); empty, by what it shows ("No picture yet").
  #nameButton(byCaption) {
    if (byCaption) this.#button.setAttribute("aria-labelledby", this.#caption.titleId);
    else this.#button.removeAttribute("aria-labelledby");
  }

  // aria-busy for assistive technology and the styles; data-loading for
  // scripts that wait for a picture (the tests).
  #setBusy(busy) {
    if (busy) {
      this.#stage.setAttribute("aria-busy", "true");
      this.#stage.dataset.loading = "true";
    } else {
      this.#stage.removeAttribute("aria-busy");
      delete this.#stage.dataset.loading;
    }
  }

  #setShape(width, height) {
    if (!(width > 0 && height > 0)) return;
    this.#frame.style.setProperty("--w", String(width));
    this.#frame.style.setProperty("--h", String(height));
    this.#stage.dataset.width = String(width);
    this.#stage.dataset.height = String(height);
  }

  #setSources(url, srcset) {
    if (srcset) {
      this.#image.sizes = this.#sizes();
      this.#image.srcset = srcset;
    } else {
      this.#image.removeAttribute("srcset");
    }
    this.#image.src = url;
  }

  // The box's width in CSS pixels, as sizes takes it.
  #sizes() {
    return `${Math.max(1, Math.ceil(this.#frame.getBoundingClientRect().width))}px`;
  }

  // The window changed: the box with it, and the variant it deserves.
  #fitSizes() {
    if (this.#image.hasAttribute("srcset")) this.#image.sizes = this.#sizes();
  }
}
