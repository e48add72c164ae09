// SPDX-License-Identifier: MIT
// The page as people use a picture site, in Chromium against a real server
// with an album of photographs (tests/browser/photo-album.mjs): each
// picture large and in its own shape (a panorama wide, a portrait tall, a
// small one at its own size), asked by srcset widths; its credits from the
// folder's info.json; full screen by click and keyboard with zoom and the
// history; one picture at a time while loading, the last Get winning; the
// history strip; the phone's one-row header; axe-core in light, dark,
// Persian and full screen. Screenshots of each.
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { assertAccessible, launchBrowser, openPage, replacePage, screenshot, waitForStagePicture } from "./browser.mjs";
import { cpSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { ALBUM_TITLE, PHOTOS, makePhotoAlbum } from "./photo-album.mjs";
import { API, makeImageFolder, publish, removeFolder, serverStats, startServer } from "./server.mjs";

let browser;
let server;
let folder;
let page;

before(async () => {
  folder = makeImageFolder(4);
  makePhotoAlbum(folder);
  const long = join(folder, "family-holidays-2024-summer-at-the-coast-with-grandparents");
  mkdirSync(long);
  cpSync(join(folder, "01.png"), join(long, "01.png"));
  server = await startServer({ images: folder });
  for (let tries = 0; tries < 300 && (await serverStats(server)).placeholders_pending > 0; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  removeFolder(folder);
});

async function newPage(options = {}) {
  page = await replacePage(browser, page, options);
  return page;
}

beforeEach(() => newPage());

// Live on, then @names published one after the other, each waited for.
async function showPublished(...names) {
  if (!(await page.isChecked("#live"))) {
    await page.click(".switch");
    await page.waitForSelector("#live-label[data-connection='connected']");
  }
  for (const name of names) {
    await publish(server, name);
    await waitForStagePicture(page, name);
  }
}

async function box(selector) {
  return page.evaluate((wanted) => document.querySelector(wanted).getBoundingClientRect().toJSON(), selector);
}

const photo = (file) => PHOTOS.find((candidate) => candidate.file === file);

// ---- 1. the picture large, in its own shape ----

test("each picture in its own shape, as large as the window allows, never past its own pixels", async () => {
  await openPage(page, server.url);
  const content = await box("main");
  for (const { file, width, height } of PHOTOS) {
    await showPublished(`photos/${file}`);
    const frame = await box("#frame");
    const aspect = width / height;
    assert.ok(Math.abs(frame.width / frame.height - aspect) <= 0.01 * aspect,
      `${file}: the box is ${frame.width}x${frame.height}, the picture ${width}x${height}`);
    assert.ok(frame.height <= 800 * 0.75 + 1, `${file}: at most three quarters of the window's height`);
    assert.ok(frame.width <= Math.min(width, content.width) + 1, `${file}: never wider than itself or the page`);
    const image = await page.evaluate(() => {
      const picture = document.getElementById("picture");
      return { sizes: picture.sizes, srcset: picture.srcset, current: picture.currentSrc,
               box: picture.getBoundingClientRect().toJSON() };
    });
    assert.deepEqual([image.box.width, image.box.height], [frame.width, frame.height], `${file}: no bars`);
    assert.equal(image.sizes, `${Math.ceil(frame.width)}px`, `${file}: sizes is the box's width`);
    const widths = [...image.srcset.matchAll(/ (\d+)w/g)].map((match) => Number(match[1]));
    assert.equal(Math.max(...widths), Math.min(width, 5000), `${file}: offered up to its own width, never more`);
    assert.match(image.current, /\/img\/photos%2F[^/]+\/[0-9a-f]{16}\/\d+x0\.webp$/, `${file}: a variant by width`);
  }
  await screenshot(page, "stage-small", { fullPage: false });
  // The small one (200x150) in a box of its own size, asked at its size.
  assert.deepEqual([(await box("#frame")).width, (await box("#frame")).height], [200, 150]);
  assert.match(await page.evaluate(() => document.getElementById("picture").currentSrc), /\/200x0\.webp$/);

  await showPublished("photos/mountain-panorama.png");
  const panorama = await box("#frame");
  assert.ok(panorama.width >= 900, `a 4000x1000 panorama at 1280x800 is ${panorama.width} px wide`);
  await assertAccessible(page, "panorama, light");
  await screenshot(page, "stage-panorama", { fullPage: false });
  await showPublished("photos/tall-tree.png");
  assert.ok(Math.abs((await box("#frame")).height - 600) <= 1, "a portrait takes 75 % of the window's height");
  await screenshot(page, "stage-portrait", { fullPage: false });
});

test("a wider window asks for a wider variant of the same picture", async () => {
  await page.setViewportSize({ width: 700, height: 800 });
  await openPage(page, server.url);
  await showPublished("photos/valley.png");
  const narrow = await page.evaluate(() => document.getElementById("picture").currentSrc);
  await page.setViewportSize({ width: 1280, height: 1000 });
  await page.waitForFunction((before) => {
    const current = document.getElementById("picture").currentSrc;
    return current !== before && /\/\d+x0\.webp$/.test(current);
  }, narrow);
  const wide = await page.evaluate(() => document.getElementById("picture").currentSrc);
  const widthOf = (url) => Number(url.match(/\/(\d+)x0\.webp$/)?.[1]);
  assert.ok(widthOf(wide) > widthOf(narrow), `${narrow} then ${wide}`);
});

// ---- 3. credits ----

test("the caption is the owner's alt text and credits, in the page's language; the file name only without them", async () => {
  await openPage(page, server.url);
  await showPublished("photos/mountain-panorama.png");
  const panorama = photo("mountain-panorama.png");
  assert.equal(await page.textContent("#caption-title"), panorama.alt);
  const details = await page.textContent("#caption-details");
  assert.match(details, /Photo by \u2068Ada Lovelace\u2069/);
  assert.match(details, /CC-BY-4\.0/);
  assert.match(details, /4000\u00a0×\u00a01000/);
  const source = page.locator("#caption-details a");
  assert.equal(await source.textContent(), "source");
  assert.equal(await source.getAttribute("href"), panorama.source_url);
  assert.match(await source.getAttribute("rel"), /noopener/);
  assert.equal(await page.getAttribute("#picture", "alt"), panorama.alt);

  await showPublished("photos/small.png");
  assert.equal(await page.textContent("#caption-title"), "small.png", "nothing else to name it by");
  assert.doesNotMatch(await page.textContent("#caption-details"), /Photo by/);

  await page.selectOption("#language", "fa");
  await showPublished("photos/valley.png");
  assert.equal(await page.textContent("#caption-title"), photo("valley.png").fa);
  assert.match(await page.textContent("#caption-details"), /عکس از/);
  assert.match(await page.textContent("#caption-details"), /۳۰۰۰\u00a0×\u00a0۲۰۰۰/);
  await assertAccessible(page, "credits, Persian");
  await screenshot(page, "stage-fa", { fullPage: false });
  await page.selectOption("#language", "en");
});

test("Copy link and Download, by button and by key", async () => {
  await newPage({ permissions: ["clipboard-read", "clipboard-write"] });
  await openPage(page, server.url);
  await showPublished("photos/valley.png");
  const url = `${server.url}/static/img/photos/valley.png`;
  await page.click("#copy-link");
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), url);
  await page.waitForFunction(() => document.getElementById("announcer").textContent === "Link copied");
  await page.evaluate(() => navigator.clipboard.writeText(""));
  await page.click("h1");
  await page.keyboard.press("c");
  await page.waitForFunction((wanted) => navigator.clipboard.readText().then((text) => text === wanted), url);
  const download = page.waitForEvent("download");
  await page.keyboard.press("d");
  assert.equal((await download).suggestedFilename(), "valley.png");
});

// ---- 2. full screen ----

test("full screen opens and closes by keyboard, zooms with + - 0 and the wheel, moves with the arrows", async () => {
  await openPage(page, server.url);
  await showPublished("photos/tall-tree.png", "photos/valley.png");
  await page.focus("#frame-button");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.getElementById("lightbox").open && document.fullscreenElement !== null);
  assert.equal(await page.evaluate(() => document.activeElement.closest("dialog")?.id), "lightbox", "focus inside");
  assert.equal(await page.textContent("#lightbox-title"), photo("valley.png").alt);
  const fit = await page.textContent("#lightbox-zoom");
  await page.keyboard.press("+");
  await page.keyboard.press("+");
  const zoomed = await page.textContent("#lightbox-zoom");
  assert.notEqual(zoomed, fit, "+ zooms in");
  // Zoomed in: the original's pixels, not the screen-sized variant's.
  await page.waitForFunction(() => document.getElementById("lightbox-picture").currentSrc.includes("/static/img/"));
  await page.keyboard.press("0");
  assert.equal(await page.textContent("#lightbox-zoom"), fit, "0 fits again");
  await page.mouse.move(640, 300);
  await page.mouse.wheel(0, -400);
  await page.waitForFunction((before) => document.getElementById("lightbox-zoom").textContent !== before, fit);
  await page.keyboard.press("0");
  await assertAccessible(page, "full screen");
  await screenshot(page, "fullscreen", { fullPage: false });

  // The arrow keys move through the history, the stage with them.
  await page.keyboard.press("ArrowRight");
  await page.waitForFunction((alt) => document.getElementById("lightbox-title").textContent === alt,
    photo("tall-tree.png").alt);
  await waitForStagePicture(page, "photos/tall-tree.png");

  await page.keyboard.press("Escape");
  await page.waitForFunction(() => !document.getElementById("lightbox").open && document.fullscreenElement === null);
  assert.equal(await page.evaluate(() => document.activeElement.id), "frame-button", "focus back where it was");

  await page.keyboard.press("f");
  await page.waitForFunction(() => document.getElementById("lightbox").open);
  await page.keyboard.press("f");
  await page.waitForFunction(() => !document.getElementById("lightbox").open && document.fullscreenElement === null);
  await page.click("#picture");
  await page.waitForFunction(() => document.getElementById("lightbox").open);
  await page.click("#lightbox-close");
  await page.waitForFunction(() => !document.getElementById("lightbox").open);
});

test("full screen on a touch screen: a pinch zooms, a drag pans, a tap on Close leaves", async () => {
  await newPage({ viewport: { width: 430, height: 800 }, hasTouch: true, isMobile: true });
  await openPage(page, server.url);
  await showPublished("photos/valley.png");
  await page.tap("#picture");
  await page.waitForFunction(() => document.getElementById("lightbox").open);
  const cdp = await page.context().newCDPSession(page);
  const touch = (type, points) => cdp.send("Input.dispatchTouchEvent", {
    type, touchPoints: points.map(([x, y], id) => ({ x, y, id })),
  });
  const fit = await page.textContent("#lightbox-zoom");
  const transform = () => page.evaluate(() => document.getElementById("lightbox-picture").style.transform);
  await touch("touchStart", [[180, 400], [250, 400]]);
  for (let step = 1; step <= 5; step++) await touch("touchMove", [[180 - step * 20, 400], [250 + step * 20, 400]]);
  await touch("touchEnd", []);
  const pinched = await page.textContent("#lightbox-zoom");
  assert.notEqual(pinched, fit, `a pinch zooms (${fit} then ${pinched})`);
  const before = await transform();
  await touch("touchStart", [[200, 300]]);
  for (let step = 1; step <= 5; step++) await touch("touchMove", [[200 + step * 15, 300 + step * 10]]);
  await touch("touchEnd", []);
  assert.notEqual(await transform(), before, "a drag pans");
  await assertAccessible(page, "full screen on a phone");
  await page.tap("#lightbox-close");
  await page.waitForFunction(() => !document.getElementById("lightbox").open);
});

// ---- 5. one picture at a time ----

// Holds every variant of @album's pictures until released.
async function holdVariants(album) {
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route(new RegExp(`/img/${album}%2F`), async (route) => {
    await held;
    await route.continue();
  });
  return release;
}

test("while a picture loads, caption, actions and current tile are all its own; a second Get replaces it", async () => {
  await openPage(page, `${server.url}/?album=photos`);
  const answers = [];
  page.on("response", async (response) => {
    if (new URL(response.url()).pathname === `${API}/rndimg`) answers.push((await response.json()).image);
  });
  const answered = async (count) => {
    while (answers.length < count) await new Promise((resolve) => setTimeout(resolve, 50));
  };
  await page.click("#get");
  await waitForStagePicture(page);
  const release = await holdVariants("photos");
  await page.click("#get");
  await page.waitForFunction(() => document.getElementById("stage").getAttribute("aria-busy") === "true");
  await answered(2);
  const loading = answers[1];
  const title = loading.alt ?? loading.name.split("/").pop();
  assert.equal(await page.textContent("#caption-title"), title, "the caption names the picture on its way");
  assert.equal(await page.getAttribute("#download", "href"), loading.url, "Download is its own");
  assert.equal(await page.getAttribute("#open", "href"), loading.url, "Open is its own");
  assert.equal(await page.getAttribute("#history .thumb[aria-current='true']", "title"), title, "so is the current tile");
  assert.equal(await page.isVisible(".loading"), true, "a busy sign on the placeholder");
  await screenshot(page, "stage-loading", { fullPage: false });

  // A second Get while the first loads: asked at once, and it wins.
  await page.click("#get");
  await answered(3);
  release();
  const last = answers[2];
  await waitForStagePicture(page, last.name);
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => document.getElementById("picture").src), last.url, "the last asked won");
  assert.equal(answers.length, 3, "three clicks, three requests");
});

test("every click counts: Get right after the first picture appears asks again", async () => {
  for (let run = 0; run < 3; run++) {
    await newPage();
    await openPage(page, server.url);
    let asked = 0;
    page.on("request", (request) => {
      if (new URL(request.url()).pathname === `${API}/rndimg`) asked++;
    });
    await page.click("#get");
    await page.waitForFunction(() => !document.getElementById("picture").hidden);   // placeholder or picture
    await page.waitForTimeout(100);
    await page.click("#get");
    await page.waitForFunction(() => document.getElementById("get").getAttribute("aria-busy") === "false");
    assert.equal(asked, 2, `run ${run}: the second click asked too`);
    assert.equal(await page.textContent("#status"), "", "nothing said when nothing went wrong");
  }
});

// ---- 6. the history strip ----

test("the strip: square tiles, newest first, the current one in view, a fade and buttons where it goes on", async () => {
  await openPage(page, server.url);
  const names = ["01.png", "02.png", "03.png", "04.png", ...PHOTOS.map((one) => `photos/${one.file}`)];
  await showPublished(...names, ...names, ...names);
  const tiles = page.locator("#history .thumb");
  assert.equal(await tiles.count(), names.length * 3);
  for (const index of [0, 5, 11]) {
    const tile = await tiles.nth(index).boundingBox();
    assert.equal(tile.width, tile.height, "square");
  }
  assert.equal(await tiles.nth(0).getAttribute("aria-current"), "true", "newest first");
  assert.equal(await page.getAttribute("#strip-frame", "data-overflow"), "end", "it goes on at the end");
  assert.equal(await page.isVisible("#strip-forward"), true);
  assert.equal(await page.isVisible("#strip-back"), false);
  const mask = await page.evaluate(() => getComputedStyle(document.getElementById("history")).maskImage);
  assert.match(mask, /linear-gradient/, "the strip fades where it goes on");
  await page.locator(".history").scrollIntoViewIfNeeded();
  await screenshot(page, "strip", { fullPage: false });

  // The oldest, picked by End: scrolled into view, the page not moved.
  await tiles.nth(0).focus();
  const scrollY = await page.evaluate(() => scrollY);
  await page.keyboard.press("End");
  await page.waitForFunction(() => {
    const strip = document.getElementById("history").getBoundingClientRect();
    const tile = document.querySelector("#history .thumb[aria-current='true']").getBoundingClientRect();
    return tile.left >= strip.left && tile.right <= strip.right;
  });
  assert.equal(await page.evaluate(() => scrollY), scrollY, "the page did not scroll");
  assert.match(await page.getAttribute("#strip-frame", "data-overflow"), /start/);
  await page.click("#strip-back");
  await page.waitForFunction(() => document.getElementById("history").scrollLeft === 0 ||
    document.getElementById("strip-frame").dataset.overflow.includes("end"));
});

// ---- 6. the album picker ----

test("the album picker: the owner's title (in Persian too) or the folder's made readable, counts, covers, the full title on hover", async () => {
  await openPage(page, `${server.url}/?album=photos`);
  const options = await page.$$eval("#album option", (all) => all.map((option) => ({
    value: option.value, text: option.textContent, title: option.title,
    cover: option.querySelector("img.album-cover")?.getAttribute("src") ?? null,
  })));
  const photos = options.find((option) => option.value === "photos");
  assert.equal(photos.text, `${ALBUM_TITLE.en}, 4 pictures`);
  assert.match(photos.cover, /\/img\/photos%2F/, "a cover thumbnail, a variant of its first picture");
  const long = options.find((option) => option.value.startsWith("family-"));
  assert.equal(long.title, "Family holidays 2024 summer at the coast with grandparents");
  assert.equal(long.text, "Family holidays 2024 summer at the coast with grandparents, 1 picture");
  assert.equal(options[0].text, "All pictures, 9 pictures", "all of them, counted");
  assert.equal(await page.getAttribute("#album", "title"), ALBUM_TITLE.en, "the picker's tooltip: the album picked");

  await page.click("#album");
  await page.waitForFunction(() => document.getElementById("album").matches(":open"));
  // A long title is cut with an ellipsis, within the list.
  const cut = await page.evaluate(() => {
    const title = [...document.querySelectorAll("#album option")].find((option) => option.value.startsWith("family-"))
      .querySelector(".album-title");
    return { overflow: getComputedStyle(title).textOverflow, clipped: title.scrollWidth > title.clientWidth };
  });
  assert.equal(cut.overflow, "ellipsis");
  await assertAccessible(page, "album picker open");
  await screenshot(page, "album-picker", { fullPage: false });
  await page.keyboard.press("Escape");

  await page.selectOption("#language", "fa");
  await page.waitForFunction((title) => document.querySelector("#album option[value='photos']").textContent.startsWith(title),
    ALBUM_TITLE.fa);
  assert.match(await page.textContent("#album option[value='photos']"), /۴/);
  await page.selectOption("#language", "en");
});

// ---- 7. the phone ----

for (const width of [360, 430]) {
  test(`phone ${width} px, touch: one header row, nothing clipped, no shortcut toggle, the banner over the page`, async () => {
    await newPage({ viewport: { width, height: 800 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 });
    await openPage(page, `${server.url}/?album=photos`);
    const header = await box(".bar");
    assert.ok(header.height <= 64, `the header is ${header.height} px high`);
    for (const selector of ["h1", "#album", "#get", "#live-label"]) {
      const control = await box(selector);
      assert.ok(control.left >= 0 && control.right <= width, `${selector} within the width (${control.left}–${control.right})`);
      assert.ok(control.top >= header.top && control.bottom <= header.bottom, `${selector} within the header row`);
    }
    assert.equal(await page.isVisible(".shortcuts-setting"), false, "no keyboard, no keyboard shortcuts");
    assert.deepEqual(await page.$$eval("footer a", (links) => links.map((link) => link.textContent)), ["API"]);
    await page.click("#get");
    await waitForStagePicture(page);
    const frame = await box("#frame");
    assert.ok(frame.width <= width, "the picture fits");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
    await assertAccessible(page, `phone ${width}`);
    await screenshot(page, `phone-${width}`, { fullPage: false });

    // An error: the banner lies over the page (nothing moves) and the
    // status line does not say it again.
    await page.route(`**${API}/rndimg*`, (route) => route.fulfill({ status: 503, json: { status: "error", message: "busy" } }));
    await page.click("#get");
    await page.waitForSelector("#banner:not([hidden])");
    assert.deepEqual(await box("#frame"), frame, "the page did not move");
    assert.ok((await box("#status")).width <= 1, "the status line does not say it again");
    await assertAccessible(page, `phone ${width}, error`);
    await screenshot(page, `phone-${width}-error`, { fullPage: false });
  });
}

test("dark: no axe violations with a picture, its credits and full screen", async () => {
  await newPage({ colorScheme: "dark" });
  await openPage(page, server.url);
  await showPublished("photos/valley.png");
  await assertAccessible(page, "dark, credits");
  await screenshot(page, "stage-dark", { fullPage: false });
  await page.click("#fullscreen");
  await page.waitForFunction(() => document.getElementById("lightbox").open);
  await assertAccessible(page, "dark, full screen");
});
