// SPDX-License-Identifier: MIT
// Publishing a picture of one's own: choose a file, drop one anywhere on the
// page, or paste one. Shows the upload's progress; the caller shows the
// picture once the server has it, and turns errors into words.
import { uploadPicture } from "./api.js";

export class Uploader {
  // onStart(), onDone(answer), onError(error), onRefused() when uploads are off
  constructor({ form, input, progress, overlay }, handlers) {
    Object.assign(this, { form, input, progress, overlay, handlers });
    this.enabled = false;
    this.busy = false;
    input.addEventListener("change", () => {
      if (input.files[0]) this.upload(input.files[0]);
    });
    form.addEventListener("submit", (event) => event.preventDefault());
    this.listenForDrops();
    document.addEventListener("paste", (event) => this.onPaste(event));
  }

  enable(on) {
    this.enabled = on;
    this.form.hidden = !on;
  }

  async upload(file) {
    if (!this.enabled) {
      this.handlers.onRefused();
      return;
    }
    if (this.busy) return;
    this.busy = true;
    this.form.setAttribute("aria-busy", "true");
    this.progress.value = 0;
    this.progress.hidden = false;
    this.handlers.onStart(file);
    try {
      const answer = await uploadPicture(file, (fraction) => { this.progress.value = Math.round(fraction * 100); },
                                         this.handlers.album?.() ?? "");
      this.progress.value = 100;
      await this.handlers.onDone(answer);
    } catch (error) {
      this.handlers.onError(error);
    } finally {
      this.busy = false;
      this.form.setAttribute("aria-busy", "false");
      this.progress.hidden = true;
      this.input.value = "";
    }
  }

  listenForDrops() {
    const carriesFiles = (event) => event.dataTransfer?.types?.includes("Files");
    document.addEventListener("dragover", (event) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      this.overlay.hidden = false;
    });
    document.addEventListener("dragleave", (event) => {
      if (event.relatedTarget === null) this.overlay.hidden = true;   // left the window
    });
    document.addEventListener("drop", (event) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      this.overlay.hidden = true;
      const file = event.dataTransfer.files[0];
      if (file) this.upload(file);
    });
  }

  onPaste(event) {
    if (event.target.closest?.("input, textarea, [contenteditable]")) return;
    const file = [...(event.clipboardData?.files ?? [])].find((candidate) => candidate.type.startsWith("image/"));
    if (!file) return;
    event.preventDefault();
    this.upload(file);
  }
}
