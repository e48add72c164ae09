// SPDX-License-Identifier: MIT
// The page's album picker in a real Chromium against a real server with
// the shipped albums: Get and Live follow the album (kept in the URL and
// localStorage), the owner's alt text is on the picture in English and
// Persian, and the BlurHash stands in while a picture loads. Screenshots
// in both languages.
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { cpSync } from "node:fs";
import { join } from "node:path";
import { assertAccessible, launchBrowser, screenshot } from "./browser.mjs";
import { makeImageFolder, publish, removeFolder, startServer } from "./server.mjs";

const API = "/polling/api/v1.0";
let browser;
let server;
let folder;
let page;

async function waitForPlaceholders() {
  for (let tries = 0; tries < 100; tries++) {
    const list = await (await fetch(`${server.url}${API}/images`)).json();
    if (list.images.every((image) => image.blurhash !== null)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("placeholders were not computed");
}

before(async () => {
  folder = makeImageFolder(3);
  for (const album of ["landscapes", "portraits", "squares"]) {
    cpSync(join(process.env.RNDIMG_IMAGES, album), join(folder, album), { recursive: true });
  }
  server = await startServer({ images: folder });
  await waitForPlaceholders();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  removeFolder(folder);
});

beforeEach(async () => {
  await page?.context().close();
  const context = await browser.newContext({ viewport: { width: 800, height: 900 }, locale: "en-US" });
  page = await context.newPage();
  page.on("pageerror", (error) => { throw error; });
});

async function open(path = "/") {
  await page.goto(`${server.url}${path}`);
  await page.waitForSelector("html[data-ready='true']");
}

async function shownPicture() {
  await page.waitForFunction(() => {
    const image = document.getElementById("picture");
    return !image.hidden && image.src.includes("/static/img/") && image.complete && image.naturalWidth > 0;
  }, null, { timeout: 5000 });
  return page.evaluate(() => {
    const image = document.getElementById("picture");
    return { src: image.getAttribute("src"), alt: image.alt };
  });
}

async function details(src) {
  const name = src.split("/static/img/")[1];
  return (await (await fetch(`${server.url}${API}/images/${name}`)).json()).image;
}

test("the picker lists the albums; Get follows the one picked; its alt text is the owner's", async () => {
  await open();
  const options = await page.$$eval("#album option", (all) => all.map((option) => option.value));
  assert.deepEqual(options, ["", "landscapes", "portraits", "squares", "squares/small"]);
  await page.selectOption("#album", "portraits");
  assert.match(page.url(), /\?album=portraits$/);
  for (let i = 0; i < 4; i++) {
    const before = await page.evaluate(() => document.getElementById("picture").getAttribute("src"));
    await page.click("#get");
    await page.waitForFunction((old) => document.getElementById("picture").getAttribute("src") !== old, before);
    const shown = await shownPicture();
    assert.match(shown.src, /\/static\/img\/portraits\/portraits-\d\.(png|jpg)$/);
    assert.equal(shown.alt, (await details(shown.src)).alt);
  }
  await assertAccessible(page, "album picked");
  await screenshot(page, "album-en");

  // Kept: a reload comes back to the album.
  await page.reload();
  await page.waitForSelector("html[data-ready='true']");
  assert.equal(await page.inputValue("#album"), "portraits");
  await open("/");
  assert.equal(await page.inputValue("#album"), "portraits");

  // In Persian, the Persian alt text.
  await page.selectOption("#language", "fa");
  await page.waitForFunction(() => document.documentElement.lang === "fa");
  await page.click("#get");
  const persian = await shownPicture();
  await page.waitForFunction(() => /[\u0600-\u06ff]/.test(document.getElementById("picture").alt));
  const alt = await page.evaluate(() => document.getElementById("picture").alt);
  assert.equal(alt, (await details(persian.src)).alt_by_language.fa);
  await assertAccessible(page, "album picked, Persian");
  await screenshot(page, "album-fa");
});

test("Live follows only the album picked", async () => {
  await open("/?album=landscapes&live");
  await page.waitForFunction(() => document.getElementById("status").dataset.state === "connected");
  // An event carries its picture's details: the page asks for no picture's page.
  const askedDetails = [];
  page.on("request", (request) => {
    if (new URL(request.url()).pathname.startsWith(`${API}/images/`)) askedDetails.push(request.url());
  });
  await publish(server, null);   // any album: maybe not landscapes
  const published = await (await fetch(`${server.url}${API}/publish`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ album: "portraits" }),
  })).json();
  assert.equal(published.album, "portraits");
  const wanted = await (await fetch(`${server.url}${API}/publish`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ album: "landscapes" }),
  })).json();
  await page.waitForFunction((name) => document.getElementById("picture").src.endsWith(name), wanted.name,
    { timeout: 5000 });
  const entries = await page.$$eval("#history li", (items) => items.length);
  const shownFromOthers = await page.$$eval("#history img", (images) =>
    images.filter((image) => !image.getAttribute("src").includes("/landscapes/")).length);
  assert.equal(shownFromOthers, 0, `${entries} history entries, some not of the album`);
  assert.ok(wanted.alt, "the event carries the owner's alt text");
  assert.equal(await page.evaluate(() => document.getElementById("picture").alt), wanted.alt);
  assert.deepEqual(askedDetails, []);
});

test("while a picture loads, its BlurHash stands in, in the picture's own box", async () => {
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  // The file and its variants (/img/squares%2F…), which the page asks for first.
  await page.route(/\/(static\/img\/squares\/|img\/squares%2F)/, async (route) => {
    await held;
    await route.continue();
  });
  await open("/?album=squares");
  await page.click("#get");
  await page.waitForFunction(() => document.getElementById("stage").dataset.loading === "true");
  const placeholder = await page.evaluate(() => document.getElementById("picture").getAttribute("src"));
  assert.match(placeholder, /^data:image\/png;base64,/);
  const box = await page.evaluate(() => document.getElementById("frame").getBoundingClientRect().toJSON());
  await screenshot(page, "album-placeholder");
  release();
  const shown = await shownPicture();
  assert.match(shown.src, /\/static\/img\/squares\//);
  await page.waitForFunction(() => !document.getElementById("stage").dataset.loading);
  const after = await page.evaluate(() => document.getElementById("frame").getBoundingClientRect().toJSON());
  assert.deepEqual([after.width, after.height, after.top], [box.width, box.height, box.top],
    "the placeholder's box is the picture's: nothing moves when it comes");
  const { width, height } = await details(shown.src);
  assert.ok(Math.abs(box.width / box.height - width / height) < 0.01 * (width / height), "in the picture's shape");
});

test("at phone width the picker fits: no sideways scrolling, still named", async () => {
  await page.setViewportSize({ width: 360, height: 740 });
  await open("/?album=squares/small");
  assert.equal(await page.inputValue("#album"), "squares/small");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
  await assertAccessible(page, "album picker, phone width");
  await screenshot(page, "album-phone");
});
