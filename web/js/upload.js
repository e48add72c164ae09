// SPDX-License-Identifier: MIT
// Publishing a picture of one's own, once a file was chosen, dropped or
// pasted (app.js listens for those and imports this module then). The
// file is checked first against what the server said it takes (/stats:
// its size limit and types, the bytes' signature deciding the type as on
// the server), so a text file or an oversize picture is refused without a
// byte sent. Then it shows at once in the stage from the browser's
// memory, with its name, the percent sent and Cancel; the caller shows
// the published picture once the server has it and turns errors into
// words. Files dropped together go one by one.
import { uploadPicture } from "./api.js";

/** @typedef {import("./api.js").UploadLimits} UploadLimits */

// The bytes that say a file's type, as the server reads them
// (server/pictures/rndimg-image-type.c).
const SIGNATURES = [
  { type: "image/png", offset: 0, bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { type: "image/jpeg", offset: 0, bytes: [0xff, 0xd8, 0xff] },
  { type: "image/gif", offset: 0, bytes: [...new TextEncoder().encode("GIF87a")] },
  { type: "image/gif", offset: 0, bytes: [...new TextEncoder().encode("GIF89a")] },
  { type: "image/webp", offset: 8, bytes: [...new TextEncoder().encode("WEBP")], riff: true },
];
const SNIFF_LENGTH = 12;
const RIFF = [...new TextEncoder().encode("RIFF")];

const startsWith = (data, offset, bytes) => bytes.every((byte, i) => data[offset + i] === byte);

// The type @head (a file's first bytes) says, or null.
export function sniffType(head) {
  const found = SIGNATURES.find(({ offset, bytes, riff }) =>
    head.length >= offset + bytes.length && (!riff || startsWith(head, 0, RIFF)) && startsWith(head, offset, bytes));
  return found?.type ?? null;
}

/**
 * Why @file cannot be sent, or null: "size" (over limits.maxBytes) or
 * "type" (not one of limits.types).
 * @param {Blob} file
 * @param {UploadLimits} limits
 */
export async function refusalOf(file, limits) {
  if (file.size > limits.maxBytes) return "size";
  const head = new Uint8Array(await file.slice(0, SNIFF_LENGTH).arrayBuffer());
  const type = sniffType(head);
  return type && limits.types.includes(type) ? null : "type";
}

export class Uploader {
  #card;
  #handlers;
  #queue = [];
  #sending = null;   // AbortController of the upload in flight

  // card: { root, name, progress, percent, cancel } over the picture.
  // handlers: onPreview(file, url), onDone(answer), onError(error),
  // onCancelled(), onRefused(reason, file, limits) with reason "size" or
  // "type", formatPercent(percent), album() the album an upload goes into.
  constructor(card, handlers) {
    this.#card = card;
    this.#handlers = handlers;
    card.cancel.addEventListener("click", () => this.cancel());
  }

  // Files go one after the other. limits: what the server takes.
  /** @param {File[]} files @param {UploadLimits} limits */
  send(files, limits) {
    this.#queue.push(...files.map((file) => ({ file, limits })));
    if (!this.#sending) this.#next();
  }

  cancel() {
    this.#queue = [];
    this.#sending?.abort();
  }

  async #next() {
    const next = this.#queue.shift();
    if (!next) return;
    this.#sending = new AbortController();
    try {
      await this.#upload(next.file, next.limits, this.#sending.signal);
    } finally {
      this.#sending = null;
      this.#next();
    }
  }

  async #upload(file, limits, signal) {
    const refusal = await refusalOf(file, limits);
    if (refusal) {
      this.#handlers.onRefused(refusal, file, limits);
      return;
    }
    const url = URL.createObjectURL(file);
    this.#showProgress(file, 0);
    try {
      await this.#handlers.onPreview(file, url);
      const answer = await uploadPicture(file, {
        album: this.#handlers.album(),
        onProgress: (fraction) => this.#showProgress(file, fraction),
        signal,
      });
      this.#showProgress(file, 1);
      await this.#handlers.onDone(answer);
    } catch (error) {
      if (error.name === "AbortError") this.#handlers.onCancelled();
      else this.#handlers.onError(error);
    } finally {
      this.#card.root.hidden = true;
      URL.revokeObjectURL(url);
    }
  }

  #showProgress(file, fraction) {
    const percent = Math.round(fraction * 100);
    const { root, name, progress, percent: text } = this.#card;
    name.textContent = file.name || "";
    progress.value = percent;
    text.textContent = this.#handlers.formatPercent(percent);
    root.hidden = false;
  }
}
