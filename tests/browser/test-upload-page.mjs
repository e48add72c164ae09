// SPDX-License-Identifier: MIT
// Uploads as a person sees them, in Chromium against a real server: the
// whole page is the drop target while a file is dragged over it; a file
// shows at once in the stage from the browser's memory, in its own shape,
// with its name, the percent sent and Cancel (the upload slowed down by
// the browser's network throttling so it can be watched); Cancel gives
// the stage back and publishes nothing; a file the server would refuse
// (not a picture, over --max-upload) is refused with no request sent.
// Screenshots on a desktop and on a Persian phone.
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { assertAccessible, launchBrowser, openPage, replacePage, screenshot, waitForStagePicture } from "./browser.mjs";
import { makePhotoAlbum } from "./photo-album.mjs";
import { writePng } from "./png-writer.mjs";
import { makeImageFolder, removeFolder, serverStats, startServer } from "./server.mjs";

const MAX_UPLOAD = 200000;

let browser;
let server;
let folder;
let page;
let photos;
let noise;   // a 150 KB picture: at 2 KB/s its upload takes over a minute, time enough to look and cancel

before(async () => {
  folder = makeImageFolder(2);
  photos = makePhotoAlbum(folder);
  noise = join(folder, "..", `rndimg-noise-${process.pid}.png`);
  let state = 2463534242;   // xorshift32: noise that does not compress
  const next = () => {
    state = (state ^ (state << 13)) >>> 0;
    state = (state ^ (state >>> 17)) >>> 0;
    state = (state ^ (state << 5)) >>> 0;
    return state & 255;
  };
  writePng(noise, 250, 200, () => [next(), next(), next()]);
  server = await startServer({ images: folder, args: [`--max-upload=${MAX_UPLOAD}`] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  removeFolder(folder);
  rmSync(noise, { force: true });
});

async function newPage(options = {}) {
  page = await replacePage(browser, page, options);
  return page;
}

beforeEach(() => newPage());

// Every POST the page sends.
function watchPosts() {
  const posts = [];
  page.on("request", (request) => { if (request.method() === "POST") posts.push(request.url()); });
  return posts;
}

// Bytes go out at @bytesPerSecond (the browser's own throttling).
async function slowUploads(bytesPerSecond) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: bytesPerSecond,
  });
  return cdp;
}

async function box(selector) {
  return page.evaluate((wanted) => document.querySelector(wanted).getBoundingClientRect().toJSON(), selector);
}

function within(inner, outer) {
  return inner.left >= outer.left - 0.5 && inner.right <= outer.right + 0.5 &&
    inner.top >= outer.top - 0.5 && inner.bottom <= outer.bottom + 0.5;
}

test("dragging a file over the page makes the whole page the drop target", async () => {
  await openPage(page, server.url);
  await page.evaluate(() => {
    const transfer = new DataTransfer();
    transfer.items.add(new File(["x"], "x.png", { type: "image/png" }));
    document.querySelector("footer").dispatchEvent(new DragEvent("dragover", { dataTransfer: transfer, bubbles: true, cancelable: true }));
  });
  const overlay = await box("#drop-overlay");
  assert.deepEqual([overlay.left, overlay.top, overlay.width, overlay.height], [0, 0, 1280, 800]);
  assert.equal(await page.textContent("#drop-text"), "Drop the picture to publish it");
  await screenshot(page, "upload-drop", { fullPage: false });
  await page.evaluate(() => document.dispatchEvent(new DragEvent("dragleave", { bubbles: true })));
  assert.equal(await page.isVisible("#drop-overlay"), false);
});

test("an upload shows at once in the stage, in its own shape, with its name, percent and Cancel; Cancel publishes nothing", async () => {
  await openPage(page, server.url);
  await page.click("#get");
  await waitForStagePicture(page);
  const shownBefore = await page.evaluate(() => document.getElementById("picture").src);
  const newestBefore = (await serverStats(server)).newest_id;
  const cdp = await slowUploads(2 * 1024);
  const posts = watchPosts();
  await page.setInputFiles("#upload-file", noise);
  await page.waitForFunction(() => document.getElementById("picture").src.startsWith("blob:"));
  await page.waitForFunction(() => Number(document.getElementById("upload-progress").value) >= 5);
  assert.equal(await page.textContent("#upload-name"), noise.split("/").pop());
  assert.match(await page.textContent("#upload-percent"), /^\d+%$/);
  const frame = await box("#frame");
  assert.ok(within(await box("#upload-card"), frame), "the progress is in the picture, where the person looks");
  assert.ok(Math.abs(frame.width / frame.height - 1.25) < 0.0125, "the file's own shape (250x200)");
  assert.equal(await page.textContent("#caption-title"), noise.split("/").pop());
  assert.equal(await page.isVisible("#actions"), false, "no Download of a picture not published yet");
  assert.equal(await page.locator("#history .thumb[aria-current='true']").count(), 0, "no tile is the stage's");
  await assertAccessible(page, "upload in progress");
  await screenshot(page, "upload-progress", { fullPage: false });

  await page.click("#upload-cancel");
  await page.waitForFunction((src) => document.getElementById("picture").src === src, shownBefore);
  assert.equal(await page.isVisible("#upload-card"), false);
  assert.equal(await page.textContent("#announcer"), "Upload cancelled.");
  assert.equal(posts.length, 1);
  assert.equal((await serverStats(server)).newest_id, newestBefore, "nothing was published");

  // Again, to the end: the published picture takes the preview's place.
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 64 * 1024 });
  await page.setInputFiles("#upload-file", join(photos, "tall-tree.png"));
  await page.waitForFunction(() => /\/upload-[^/]+\.png$/.test(document.getElementById("picture").src), null, { timeout: 15000 });
  await waitForStagePicture(page);
  assert.match(await page.textContent("#caption-details"), /uploaded/);
  assert.equal(await page.getAttribute("#history .thumb", "aria-current"), "true");
  assert.equal(await page.isVisible("#upload-card"), false);
});

test("a file the server would refuse is refused before a byte is sent", async () => {
  await openPage(page, server.url);
  const posts = watchPosts();
  const drop = (name, type, bytes) => page.evaluate(([fileName, fileType, data]) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([new Uint8Array(data)], fileName, { type: fileType }));
    document.body.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, [name, type, [...bytes]]);
  await drop("notes.txt", "text/plain", Buffer.from("just words\n"));
  await page.waitForSelector("#banner[data-error='error.upload.415']");
  // A text named .png with an image type is still a text: the bytes decide.
  await page.click("#dismiss");
  await drop("notes.png", "image/png", Buffer.from("just words, though the name says png\n"));
  await page.waitForSelector("#banner[data-error='error.upload.415']");
  const large = Buffer.alloc(MAX_UPLOAD + 1);
  readFileSync(join(photos, "small.png")).copy(large);
  await drop("large.png", "image/png", large);
  await page.waitForSelector("#banner[data-error='error.upload.tooLarge']");
  assert.match(await page.textContent("#banner-text"), /200 kB/);
  assert.deepEqual(posts, [], "no upload was sent");
  assert.equal(await page.isVisible("#upload-card"), false);
});

test("Persian phone: the upload in progress, mirrored, no axe violations", async () => {
  await newPage({ viewport: { width: 390, height: 844 }, locale: "fa-IR", hasTouch: true, isMobile: true, deviceScaleFactor: 2 });
  await openPage(page, server.url);
  await slowUploads(2 * 1024);
  await page.setInputFiles("#upload-file", noise);
  await page.waitForFunction(() => Number(document.getElementById("upload-progress").value) >= 5);
  assert.ok(within(await box("#upload-card"), await box("#frame")));
  assert.match(await page.textContent("#upload-percent"), /[۰-۹]/, "the percent in Persian digits");
  await assertAccessible(page, "Persian phone, upload in progress");
  await screenshot(page, "upload-progress-fa-phone", { fullPage: false });
  await page.click("#upload-cancel");
  await page.waitForSelector("#upload-card", { state: "hidden" });
});
