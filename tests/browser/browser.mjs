// SPDX-License-Identifier: MIT
// What the browser tests share: Debian's Chromium launched headless,
// screenshots saved as artifacts and checked not to be blank, and axe-core
// run inside the page.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { chromium } from "playwright-core";

export const ARTIFACTS = process.env.RNDIMG_ARTIFACTS ?? "artifacts";
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const AXE_SOURCE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

// extraArgs: more Chromium switches (host resolver rules, a trusted key).
export async function launchBrowser(extraArgs = []) {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-default-apps", "--disable-extensions", "--disable-background-timer-throttling",
           "--disable-renderer-backgrounding", "--disable-backgrounding-occluded-windows", ...extraArgs],
  });
}

// Saves a screenshot as an artifact and checks that it shows something:
// decoded in the browser, it must hold many different colours. fullPage:
// false for the window alone (on an emulated phone, a full-page shot
// drops the touch emulation while it is taken).
export async function screenshot(page, name, { fullPage = true } = {}) {
  const png = await page.screenshot({ fullPage });
  writeFileSync(join(ARTIFACTS, `page-${name}.png`), png);
  const colours = await page.evaluate(async (base64) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes], { type: "image/png" }));
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext("2d");
    context.drawImage(bitmap, 0, 0);
    const data = context.getImageData(0, 0, bitmap.width, bitmap.height).data;
    const seen = new Set();
    for (let i = 0; i < data.length; i += 4 * 7) seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    return seen.size;
  }, png.toString("base64"));
  assert.ok(colours > 20, `screenshot ${name} looks blank (${colours} colours)`);
}

// A page in a context of its own (1280x800, English unless @options say
// otherwise), the @previous one's context closed; an error in the page
// fails the test.
export async function replacePage(browser, previous, options = {}) {
  await previous?.context().close();
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US", ...options });
  const page = await context.newPage();
  page.on("pageerror", (error) => { throw error; });
  return page;
}

// Opens @url and waits until the page says it is ready (its language,
// albums and the server's stats in).
export async function openPage(page, url) {
  await page.goto(url);
  await page.waitForSelector("html[data-ready='true']");
}

// Waits until the stage shows a picture (not its placeholder): @name's
// (a catalogue name, "photos/valley.png") when given.
export async function waitForStagePicture(page, name = null, timeout = 10000) {
  await page.waitForFunction((wanted) => {
    const image = document.getElementById("picture");
    return !image.hidden && image.complete && image.naturalWidth > 0 && !image.src.startsWith("data:") &&
      !document.getElementById("stage").dataset.loading &&
      (wanted === null || image.src.endsWith(`/static/img/${wanted}`));
  }, name, { timeout });
}

// Runs axe-core (WCAG 2.x A and AA rules and best practices) on the page
// as it is now, and fails listing every violation with its elements.
export async function assertAccessible(page, state) {
  // Evaluated, not added as a <script>: the page's Content-Security-Policy
  // (rightly) refuses inline scripts, and evaluation is not bound by it.
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(readFileSync(AXE_SOURCE, "utf8"));
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((violation) =>
      `${violation.id} (${violation.impact}): ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`);
  });
  assert.deepEqual(violations, [], `axe-core found violations in state "${state}"`);
}
