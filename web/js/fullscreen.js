// SPDX-License-Identifier: MIT
// The picture full screen, as a picture viewer shows it (GNOME's Loupe):
// the whole picture on black, fitted to the screen but never enlarged past
// its own pixels; zoom with the wheel, a pinch, + and - (0 fits, 1 is
// 100 %) or a double click, pan by dragging; the arrow keys and the two
// arrow buttons move through the history; Esc, F or Close leave. It is a
// modal <dialog> (the page behind it inert, focus kept inside and given
// back on leaving), made full screen by the Fullscreen API where the
// browser allows, else covering the window. First a variant the size of
// the screen; zoomed in, the original file, swapped in once decoded.
import { formatPercent, t } from "./i18n.js";
import { STAGE_FORMAT } from "./picture.js";
import { widthSrcset } from "./variants.js";

const MAX_ZOOM = 8;
const STEP = 1.25;

function distance(a, b) {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

export class FullScreenView {
  #dialog;
  #body;
  #canvas;
  #image;
  #title;
  #zoomText;
  #onMove;
  #picture = null;     // { url, details, width, height, alt }
  #original = false;   // the original file is shown (not a variant)
  #scale = 1;          // CSS pixels per picture pixel
  #x = 0;              // where the picture's top left corner is, in the canvas
  #y = 0;
  #pointers = new Map();
  #gesture = null;
  #opener = null;
  #wentFullScreen = false;

  // onMove(step): +1 an older picture, -1 a newer one (the history's order).
  constructor({ dialog, body, canvas, image, title, zoom, previous, next, zoomIn, zoomOut, close }, onMove) {
    this.#dialog = dialog;
    this.#body = body;
    this.#canvas = canvas;
    this.#image = image;
    this.#title = title;
    this.#zoomText = zoom;
    this.#onMove = onMove;
    previous.addEventListener("click", () => this.#onMove(-1));
    next.addEventListener("click", () => this.#onMove(1));
    zoomIn.addEventListener("click", () => this.#zoomBy(STEP));
    zoomOut.addEventListener("click", () => this.#zoomBy(1 / STEP));
    close.addEventListener("click", () => this.close());
    dialog.addEventListener("keydown", (event) => this.#onKey(event));
    dialog.addEventListener("close", () => this.#onClosed());
    canvas.addEventListener("wheel", (event) => this.#onWheel(event), { passive: false });
    canvas.addEventListener("pointerdown", (event) => this.#onPointerDown(event));
    canvas.addEventListener("pointermove", (event) => this.#onPointerMove(event));
    for (const type of ["pointerup", "pointercancel"]) canvas.addEventListener(type, (event) => this.#onPointerUp(event));
    canvas.addEventListener("dblclick", (event) => this.#onDoubleClick(event));
    document.addEventListener("fullscreenchange", () => {
      if (!document.fullscreenElement && this.#wentFullScreen && this.isOpen) this.close();
    });
    addEventListener("resize", () => this.isOpen && this.#fit());
  }

  get isOpen() {
    return this.#dialog.open;
  }

  // Opens on @picture: { url, details, width, height, alt }.
  async open(picture) {
    this.#opener = document.activeElement;
    this.#dialog.showModal();
    this.show(picture);
    this.#canvas.focus({ preventScroll: true });
    try {
      await this.#body.requestFullscreen({ navigationUI: "hide" });
      this.#wentFullScreen = true;
    } catch {
      // No full screen to be had (an iPhone, a frame, a test): the dialog covers the window.
    }
  }

  close() {
    if (this.#dialog.open) this.#dialog.close();
  }

  // Shows @picture in place of the one shown (moving through the history).
  show(picture) {
    this.#picture = picture;
    this.#original = false;
    this.#title.textContent = picture.alt;
    this.#image.alt = picture.alt;
    this.#image.width = picture.width;
    this.#image.height = picture.height;
    this.#fit();
    const srcset = widthSrcset({ ...picture.details, url: picture.url, width: picture.width, height: picture.height },
                               STAGE_FORMAT);
    if (srcset) {
      this.#image.sizes = `${Math.ceil(picture.width * this.#scale)}px`;
      this.#image.srcset = srcset;
    } else {
      this.#image.removeAttribute("srcset");
    }
    this.#image.src = picture.url;
  }

  retranslate() {
    this.#showZoom();
  }

  // Focus goes back to what opened it, once out of full screen (leaving
  // it moves the focus itself).
  #onClosed() {
    const opener = this.#opener;
    const giveBackFocus = () => opener?.focus?.({ preventScroll: true });
    this.#wentFullScreen = false;
    this.#pointers.clear();
    if (document.fullscreenElement) document.exitFullscreen().then(giveBackFocus, giveBackFocus);
    else giveBackFocus();
  }

  // ---- zoom and pan ----

  #fitScale() {
    const { clientWidth, clientHeight } = this.#canvas;
    if (!this.#picture) return 1;
    return Math.min(1, clientWidth / this.#picture.width, clientHeight / this.#picture.height);
  }

  #fit() {
    this.#scale = this.#fitScale();
    this.#x = (this.#canvas.clientWidth - this.#picture.width * this.#scale) / 2;
    this.#y = (this.#canvas.clientHeight - this.#picture.height * this.#scale) / 2;
    this.#render();
  }

  // Zoom to @scale keeping the canvas point (@px, @py) where it is.
  #zoomTo(scale, px = this.#canvas.clientWidth / 2, py = this.#canvas.clientHeight / 2) {
    const fit = this.#fitScale();
    const next = Math.min(Math.max(scale, fit), Math.max(MAX_ZOOM, fit));
    this.#x = px - (px - this.#x) * (next / this.#scale);
    this.#y = py - (py - this.#y) * (next / this.#scale);
    this.#scale = next;
    this.#render();
    if (next > fit + 1e-6) this.#loadOriginal();
  }

  #zoomBy(factor, px, py) {
    this.#zoomTo(this.#scale * factor, px, py);
  }

  // Keeps the picture on screen: centred along a side it does not fill,
  // else with no gap at either end.
  #clamp() {
    const width = this.#picture.width * this.#scale;
    const height = this.#picture.height * this.#scale;
    const { clientWidth, clientHeight } = this.#canvas;
    this.#x = width <= clientWidth ? (clientWidth - width) / 2 : Math.min(0, Math.max(clientWidth - width, this.#x));
    this.#y = height <= clientHeight ? (clientHeight - height) / 2 : Math.min(0, Math.max(clientHeight - height, this.#y));
  }

  #render() {
    this.#clamp();
    this.#image.style.transform = `translate(${this.#x}px, ${this.#y}px) scale(${this.#scale})`;
    this.#canvas.dataset.zoomed = this.#scale > this.#fitScale() + 1e-6 ? "true" : "false";
    this.#showZoom();
  }

  #showZoom() {
    this.#zoomText.textContent = t("lightbox.zoomLevel", { zoom: formatPercent(this.#scale) });
  }

  // Zoomed in: the original's pixels, not the screen-sized variant's.
  async #loadOriginal() {
    if (this.#original || !this.#image.hasAttribute("srcset")) return;
    this.#original = true;
    const picture = this.#picture;
    const original = new Image();
    original.src = picture.url;
    try {
      await original.decode();
    } catch {
      return;
    }
    if (this.#picture !== picture) return;
    this.#image.removeAttribute("srcset");
    this.#image.src = picture.url;
  }

  // ---- input ----

  #onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const rightToLeft = document.dir === "rtl";
    const actions = {
      "+": () => this.#zoomBy(STEP),
      "=": () => this.#zoomBy(STEP),
      "-": () => this.#zoomBy(1 / STEP),
      "0": () => this.#fit(),
      "1": () => this.#zoomTo(1),
      ArrowLeft: () => this.#onMove(rightToLeft ? 1 : -1),
      ArrowRight: () => this.#onMove(rightToLeft ? -1 : 1),
      f: () => this.close(),
      F: () => this.close(),
    };
    const action = actions[event.key];
    if (!action || event.target.closest?.("input, select, textarea")) return;
    event.preventDefault();
    action();
  }

  #onWheel(event) {
    event.preventDefault();
    const box = this.#canvas.getBoundingClientRect();
    this.#zoomBy(Math.exp(-event.deltaY * 0.002), event.clientX - box.left, event.clientY - box.top);
  }

  #point(event) {
    const box = this.#canvas.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  }

  #onPointerDown(event) {
    this.#canvas.setPointerCapture(event.pointerId);
    this.#pointers.set(event.pointerId, this.#point(event));
    this.#startGesture();
  }

  #startGesture() {
    const points = [...this.#pointers.values()];
    this.#gesture = points.length >= 2
      ? { kind: "pinch", distance: distance(points[0], points[1]), scale: this.#scale }
      : points.length === 1 ? { kind: "pan", from: points[0], x: this.#x, y: this.#y } : null;
  }

  #onPointerMove(event) {
    if (!this.#pointers.has(event.pointerId) || !this.#gesture) return;
    this.#pointers.set(event.pointerId, this.#point(event));
    const points = [...this.#pointers.values()];
    if (this.#gesture.kind === "pinch" && points.length >= 2) {
      const middle = { x: (points[0].x + points[1].x) / 2, y: (points[0].y + points[1].y) / 2 };
      this.#zoomTo(this.#gesture.scale * distance(points[0], points[1]) / this.#gesture.distance, middle.x, middle.y);
    } else if (this.#gesture.kind === "pan") {
      this.#x = this.#gesture.x + points[0].x - this.#gesture.from.x;
      this.#y = this.#gesture.y + points[0].y - this.#gesture.from.y;
      this.#render();
    }
  }

  #onPointerUp(event) {
    this.#pointers.delete(event.pointerId);
    this.#startGesture();
  }

  #onDoubleClick(event) {
    const { x, y } = this.#point(event);
    if (this.#scale > this.#fitScale() + 1e-6) this.#fit();
    else this.#zoomTo(Math.max(1, this.#fitScale() * 2), x, y);
  }
}
