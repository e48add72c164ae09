// SPDX-License-Identifier: MIT
// The web page in a real Chromium (Debian's), against a real rndimg-server.
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { makeImageFolder, publish, removeFolder, startServer } from "./server.mjs";

const ARTIFACTS = process.env.RNDIMG_ARTIFACTS ?? "artifacts";
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

let browser;
let server;
let folder;
let page;

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  folder = makeImageFolder();
  server = await startServer({ images: folder });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-default-apps", "--disable-extensions"],
  });
});

after(async () => {
  await browser?.close();
  await server?.stop();
  removeFolder(folder);
});

beforeEach(async () => {
  await page?.context().close();
  const context = await browser.newContext({ viewport: { width: 800, height: 900 } });
  page = await context.newPage();
  page.on("pageerror", (error) => { throw error; });
});

async function open(path) {
  await page.goto(`${server.url}${path}`);
  // A marker that only survives if the page is never reloaded.
  await page.evaluate(() => { window.__loadMarker = "still-here"; });
}

async function assertNotReloaded() {
  assert.equal(await page.evaluate(() => window.__loadMarker), "still-here");
}

// Saves a screenshot as an artifact and checks that it shows something:
// decoded in the browser, it must hold many different colours.
async function screenshot(name) {
  const png = await page.screenshot({ fullPage: true });
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
  assert.ok(colours > 50, `screenshot ${name} looks blank (${colours} colours)`);
}

async function shownPicture() {
  return page.evaluate(() => {
    const image = document.getElementById("picture");
    return { src: image.src, width: image.naturalWidth, complete: image.complete };
  });
}

async function waitForPicture(name, timeout = 2000) {
  await page.waitForFunction((expected) => {
    const image = document.getElementById("picture");
    return image.src.endsWith(`/static/img/${expected}`) && image.complete && image.naturalWidth > 0;
  }, name, { timeout });
}

async function waitForState(states, timeout = 5000) {
  await page.waitForFunction((wanted) => wanted.includes(document.getElementById("status").dataset.state),
    states, { timeout });
}

test("Get shows a random picture without a reload", async () => {
  await open("/");
  await screenshot("empty");
  await page.click("#get");
  await page.waitForFunction(() => {
    const image = document.getElementById("picture");
    return image.src.includes("/static/img/") && image.complete && image.naturalWidth > 0;
  }, null, { timeout: 5000 });
  const first = await shownPicture();
  assert.equal(first.width, 400);
  await assertNotReloaded();
  assert.equal(await page.getAttribute("#get", "aria-busy"), "false");

  // Again, with the keyboard: a different picture (exclude= the current one).
  await page.keyboard.press("g");
  await page.waitForFunction((old) => document.getElementById("picture").src !== old, first.src, { timeout: 5000 });
  await assertNotReloaded();
  await screenshot("get");
});

for (const [transport, name] of [["sse", "03.png"], ["longpoll", "05.png"]]) {
  test(`Live over ${transport} shows a published picture within 2 s`, async () => {
    await open(`/?transport=${transport}`);
    await page.click(".switch");
    await waitForState(["connected"]);
    assert.equal(await page.getAttribute("#status", "data-transport"), transport);
    const event = await publish(server, name);
    await waitForPicture(name);
    assert.equal(await page.getAttribute("#status", "data-last-id"), String(event.id));
    await assertNotReloaded();
    await screenshot(`live-${transport}`);
  });
}

for (const transport of ["sse", "longpoll"]) {
  test(`Live (${transport}) survives a server restart and misses nothing`, async () => {
    await open(`/?transport=${transport}`);
    await page.click(".switch");
    await waitForState(["connected"]);
    await publish(server, "02.png");
    await waitForPicture("02.png");

    const port = server.port;
    await server.stop();
    await waitForState(["reconnecting", "offline"], 10000);
    const text = await page.textContent("#status");
    assert.match(text, /lost|reach|retry/i);
    await screenshot(`server-down-${transport}`);

    server = await startServer({ port, images: folder });
    // Published before the page is back: it must still arrive.
    await publish(server, "07.png");
    await waitForPicture("07.png", 20000);
    await waitForState(["connected"], 20000);
    await assertNotReloaded();
    await screenshot(`reconnected-${transport}`);
  });
}

test("the tutorial's page: click, picture shown", async () => {
  await open("/seed.html");
  await page.click("#get-image");
  await page.waitForFunction(() => {
    const image = document.getElementById("image");
    return !image.hidden && image.src.includes("/static/img/") && image.complete && image.naturalWidth > 0;
  }, null, { timeout: 5000 });
  await assertNotReloaded();
  await screenshot("seed");
});

test("a phone-width screen keeps the controls reachable", async () => {
  await page.setViewportSize({ width: 360, height: 740 });
  await open("/");
  await page.click("#get");
  await page.waitForFunction(() => document.getElementById("picture").naturalWidth > 0, null, { timeout: 5000 });
  const box = await page.locator("#picture").boundingBox();
  assert.ok(box.width <= 360 && box.width > 250, `picture is ${box.width}px wide`);
  assert.ok(await page.locator("#live").isEnabled());
  await screenshot("phone");
});
