// SPDX-License-Identifier: MIT
// The page asks for picture variants, in Chromium against a real server:
// the history strip's thumbnails are 64x64 variants for the screen's pixel
// ratio (srcset) in a format the browser takes, the main picture a
// variant no wider than its box nor itself, each by its canonical URL built from
// the picture's variant_version (no 302 per picture); without one, the
// short URL (and its redirect). What the first screen with ten pictures in
// history costs, against the originals it used to get. The page's URL
// builder (web/js/variants.js) is checked against the server's own idea
// of each variant's canonical URL. RNDIMG_WEB picks the page to serve
// (another checkout's web/ to measure it).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, statSync } from "node:fs";
import { join } from "node:path";
import { launchBrowser, screenshot } from "./browser.mjs";
import { API, makeImageFolder, publish, removeFolder, startServer } from "./server.mjs";
import { variantUrl } from "../../web/js/variants.js";

const WEB = process.env.RNDIMG_WEB ?? new URL("../../web", import.meta.url).pathname;
const CANONICAL = /\/img\/[^/]+\/[0-9a-f]{16}\/[^/@]+$/;

let browser;
let server;        // ten pictures, 01.png to 010.png
let folder;
let albumServer;   // the album squares
let albumFolder;

async function getJson(path, from = server) {
  const response = await fetch(`${from.url}${path}`);
  assert.equal(response.status, 200, path);
  return response.json();
}

// Every picture's variant_version is computed (by the server's placeholders
// worker) before the page asks for one.
async function waitForVariantVersions(from) {
  for (let tries = 0; tries < 200; tries++) {
    const list = await getJson(`${API}/images`, from);
    if (list.images.every((image) => image.variant_version !== null)) return list.images;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("the variant versions were not computed");
}

// The server's count of /img/ answers by status, from /metrics.
async function variantAnswers() {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const counts = {};
  for (const match of text.matchAll(/^rndimg_http_requests_total\{route="\/img\/",method="GET",status="(\d+)"\} (\d+)$/gm)) {
    counts[match[1]] = Number(match[2]);
  }
  return counts;
}

function difference(after, before) {
  const statuses = new Set([...Object.keys(after), ...Object.keys(before)]);
  return Object.fromEntries([...statuses].map((status) => [status, (after[status] ?? 0) - (before[status] ?? 0)])
    .filter(([, count]) => count !== 0));
}

before(async () => {
  folder = makeImageFolder(10);
  server = await startServer({ images: folder, args: [`--web=${WEB}`] });
  albumFolder = makeImageFolder(1);
  cpSync(join(process.env.RNDIMG_IMAGES, "squares"), join(albumFolder, "squares"), { recursive: true });
  albumServer = await startServer({ images: albumFolder, args: [`--web=${WEB}`] });
  await waitForVariantVersions(server);
  await waitForVariantVersions(albumServer);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await albumServer?.stop();
  removeFolder(folder);
  removeFolder(albumFolder);
});

// The short spelling of each variant redirects exactly to the URL the
// page builds from the version, which is answered with bytes.
test("the page's URL builder spells each variant as the server's canonical URL", async () => {
  const options = [
    {}, { dpr: 2 }, { dpr: 3 }, { dpr: 1.5 }, { dpr: 1.25, fit: "inside" }, { fit: "contain" },
    { fit: "inside", enlarge: true }, { crop: "attention" }, { crop: "center" }, { format: "webp" },
    { format: "jpeg", quality: 80 }, { format: "jpg", quality: 60, grayscale: true }, { format: "png", quality: 80 },
    { blur: true }, { blur: 3, grayscale: true, fit: "inside", dpr: 2, format: "avif" }, { quality: 75 },
  ];
  const pictures = (await getJson(`${API}/images`, albumServer)).images.filter((image) =>
    ["01.png", "squares/squares-2.jpg"].includes(image.name));
  assert.equal(pictures.length, 2);
  for (const picture of pictures) {
    for (const option of options) {
      for (const [width, height] of [[64, 64], [333, 0], [0, 101]]) {
        const canonical = variantUrl(picture, width, height, option);
        const short = variantUrl({ url: picture.url }, width, height, option);
        assert.doesNotMatch(short, /\/[0-9a-f]{16}\//);
        const redirect = await fetch(short, { redirect: "manual" });
        assert.equal(redirect.status, 302, `${short} ${JSON.stringify(option)}`);
        assert.equal(redirect.headers.get("location"), canonical, `${short} ${JSON.stringify(option)}`);
      }
    }
    for (const option of [{ dpr: 2, fit: "inside" }, { format: "webp", dpr: 1.5 }, { grayscale: true }]) {
      const answer = await fetch(variantUrl(picture, 64, 64, option), { redirect: "manual" });
      assert.equal(answer.status, 200, variantUrl(picture, 64, 64, option));
      assert.match(answer.headers.get("cache-control"), /immutable/);
    }
  }
  assert.match(variantUrl(pictures[1], 64, 64, { dpr: 2, fit: "inside" }),
    /\/img\/squares%2Fsquares-2\.jpg\/[0-9a-f]{16}\/128x128\?fit=inside$/);
});

// The page with ten pictures in history (followed live): what it shows,
// and every /img/ exchange (redirects included) with its bytes on the wire.
async function firstScreenWithTen(deviceScaleFactor) {
  const context = await browser.newContext({ viewport: { width: 800, height: 900 }, deviceScaleFactor });
  const page = await context.newPage();
  const images = [];
  const exchanges = [];
  page.on("requestfinished", async (request) => {
    if (!new URL(request.url()).pathname.startsWith("/img/")) return;
    const response = await request.response();
    const sizes = await request.sizes();
    exchanges.push({ url: request.url(), status: response.status(),
                     wire: sizes.requestHeadersSize + sizes.responseHeadersSize + sizes.responseBodySize });
  });
  page.on("response", async (response) => {
    const type = response.headers()["content-type"] ?? "";
    if (type.startsWith("image/")) images.push({ url: response.url(), type, bytes: (await response.body()).length });
  });
  const answersBefore = await variantAnswers();
  await page.goto(`${server.url}/?live`);
  await page.waitForSelector("#live-label[data-connection='connected']");
  // Ten different pictures, one after the other, in the same order each run.
  for (let count = 1; count <= 10; count++) {
    const name = `0${count}.png`;
    await publish(server, name);
    // Shown: the thumbnails in, and the picture itself (not its placeholder).
    await page.waitForFunction(([n, shown]) => document.querySelectorAll("#history img").length === n &&
      [...document.querySelectorAll("#history img")].every((image) => image.complete && image.naturalWidth > 0) &&
      document.getElementById("picture").src.endsWith(`/static/img/${shown}`) &&
      !document.getElementById("stage").dataset.loading, [count, name], { timeout: 10000 });
  }
  // Every picture is in (above); their requests' last events reach us soon after.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const answers = difference(await variantAnswers(), answersBefore);
  const thumbnails = await page.evaluate(() => [...document.querySelectorAll("#history img")].map((image) =>
    ({ src: image.getAttribute("src"), current: image.currentSrc, width: image.naturalWidth, height: image.naturalHeight,
       placeholder: image.style.backgroundImage })));
  const picture = await page.evaluate(() => {
    const image = document.getElementById("picture");
    return { src: image.getAttribute("src"), current: image.currentSrc, width: image.naturalWidth };
  });
  await context.close();
  return { images, exchanges, answers, thumbnails, picture };
}

// What the page downloaded before variants: each picture shown, whole, once.
function originalBytes(thumbnails) {
  const names = new Set(thumbnails.map((thumbnail) => decodeURIComponent(thumbnail.src.split("/").pop())));
  return [...names].reduce((sum, name) => sum + statSync(join(folder, name)).size, 0);
}

// The figures of docs/web.md, said before anything is checked (so that
// another page, RNDIMG_WEB, can be measured too).
function report(scale, { images, exchanges, answers, thumbnails }) {
  const bytes = images.reduce((sum, image) => sum + image.bytes, 0);
  const wire = exchanges.reduce((sum, exchange) => sum + exchange.wire, 0);
  const pictures = new Set(thumbnails.map((thumbnail) => thumbnail.src)).size;
  const redirects = exchanges.filter((exchange) => exchange.status === 302).length;
  const originals = originalBytes(thumbnails);
  console.log(`first screen, ten pictures in history (${pictures} different), ${scale}x: ` +
              `${exchanges.length} /img/ requests, ${redirects} of them 302 (server: ${JSON.stringify(answers)}); ` +
              `${bytes} bytes of variants, ${wire} bytes on the wire for /img/ with headers; ` +
              `originals ${originals} bytes (variants ${(bytes / originals * 100).toFixed(1)} %)`);
  return { bytes, originals };
}

for (const scale of [1, 2]) {
  test(`ten pictures in history at ${scale}x: canonical variant URLs, no redirect`, async () => {
    const screen = await firstScreenWithTen(scale);
    const { images, exchanges, answers, thumbnails, picture } = screen;
    const { bytes, originals } = report(scale, screen);
    const details = new Map((await getJson(`${API}/images`)).images.map((image) => [image.url, image]));
    assert.equal(answers["302"] ?? 0, 0, `the server redirected /img/ requests: ${JSON.stringify(answers)}`);
    assert.equal(thumbnails.length, 10);
    for (const thumbnail of thumbnails) {
      assert.match(thumbnail.src, /\/static\/img\//, "the original stays the fallback");
      const picked = details.get(thumbnail.src);
      assert.ok(picked?.variant_version, `details of ${thumbnail.src}`);
      assert.equal(thumbnail.current, variantUrl(picked, 64 * scale, 64 * scale),
        `the thumbnail asked for by its canonical URL at ${scale}x`);
      assert.equal(thumbnail.width, 64);
      assert.equal(thumbnail.height, 64);
      assert.equal(thumbnail.placeholder, "", "the placeholder goes once the thumbnail is in");
    }
    // 400 px pictures: asked at their own width, never more, at 1x and 2x
    // alike (srcset width descriptors stop at the picture's own), as WebP.
    assert.equal(picture.current, variantUrl(details.get(picture.src), 400, 0, { format: "webp" }));
    assert.ok(exchanges.length > 0);
    for (const exchange of exchanges) {
      assert.match(exchange.url.split("?")[0], CANONICAL, "every /img/ request canonical");
      assert.equal(exchange.status, 200, exchange.url);
    }
    const variantTypes = new Set(images.filter((image) => image.url.includes("/img/")).map((image) => image.type));
    assert.deepEqual([...variantTypes].filter((type) => !["image/avif", "image/webp"].includes(type)), [],
      `variants in a modern format: ${[...variantTypes]}`);
    assert.equal(images.filter((image) => image.url.includes("/static/img/")).length, 0, "no original downloaded");
    assert.ok(bytes < originals / 2, `variants (${bytes} bytes) less than half the originals (${originals} bytes)`);
  });
}

// An older server's answer (or a picture whose hash is not computed yet)
// has no variant_version: the short URL, which the server redirects.
test("a picture without variant_version still loads, by the short URL", async () => {
  const context = await browser.newContext({ viewport: { width: 800, height: 900 } });
  const page = await context.newPage();
  await page.route(`**${API}/rndimg*`, async (route) => {
    const response = await route.fetch();
    const answer = await response.json();
    delete answer.image.variant_version;
    await route.fulfill({ response, json: answer });
  });
  const answersBefore = await variantAnswers();
  await page.goto(`${server.url}/`);
  await page.waitForSelector("html[data-ready='true']");
  await page.click("#get");
  await page.waitForFunction(() => {
    const thumbnail = document.querySelector("#history img");
    const picture = document.getElementById("picture");
    return thumbnail?.complete && thumbnail.naturalWidth > 0 && picture.complete && picture.src.includes("/static/img/");
  }, null, { timeout: 10000 });
  const thumbnail = await page.evaluate(() => {
    const image = document.querySelector("#history img");
    return { current: image.currentSrc, width: image.naturalWidth };
  });
  const current = await page.evaluate(() => document.getElementById("picture").currentSrc);
  await context.close();
  assert.match(thumbnail.current, /\/img\/[^/]+\/64x64$/);
  assert.equal(thumbnail.width, 64);
  assert.match(current, /\/img\/[^/]+\/400x0\.webp$/);
  const answers = difference(await variantAnswers(), answersBefore);
  assert.ok(answers["302"] >= 2, `the short URLs were redirected: ${JSON.stringify(answers)}`);
});

// An album picture's tile shows its BlurHash (or colour) while its
// thumbnail loads, not a blank; then the thumbnail, by its canonical URL
// (the album's slash escaped).
test("an album picture's tile shows its placeholder until the thumbnail loads", async () => {
  const context = await browser.newContext({ viewport: { width: 800, height: 900 } });
  const page = await context.newPage();
  let holding = false;
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route(/\/img\/squares%2F/, async (route) => {
    if (holding) await held;
    await route.continue();
  });
  await page.goto(`${albumServer.url}/?album=squares&live`);
  await page.waitForSelector("#live-label[data-connection='connected']");
  const shown = (name, count) => page.waitForFunction(([n, wanted]) =>
    document.querySelectorAll("#history img").length === n &&
    [...document.querySelectorAll("#history img")].every((image) => image.complete && image.naturalWidth > 0) &&
    document.getElementById("picture").src.endsWith(`/static/img/${wanted}`) &&
    !document.getElementById("stage").dataset.loading, [count, name], { timeout: 10000 });
  for (const [index, name] of ["squares/squares-1.png", "squares/squares-2.jpg"].entries()) {
    await publish(albumServer, name);
    await shown(name, index + 1);
  }
  holding = true;
  await publish(albumServer, "squares/squares-3.png");
  await page.waitForFunction(() => document.querySelectorAll("#history img").length === 3);
  const tiles = await page.evaluate(() => [...document.querySelectorAll("#history img")].map((image) =>
    ({ placeholder: image.style.backgroundImage, complete: image.complete, marked: image.dataset.placeholder })));
  assert.match(tiles[0].placeholder, /^url\("data:image\/png;base64,/, "the newest tile holds its BlurHash");
  assert.equal(tiles[0].complete, false);
  assert.equal(tiles[0].marked, "true");
  assert.deepEqual(tiles.slice(1).map((tile) => tile.placeholder), ["", ""], "the loaded tiles show no placeholder");
  assert.match(await page.textContent("#caption-title"), /^Square 3:/,
    "the caption names (by its alt text) the picture whose placeholder the stage shows");
  await screenshot(page, "history-placeholder");
  release();
  await shown("squares/squares-3.png", 3);
  const current = await page.evaluate(() => document.querySelector("#history img").currentSrc);
  assert.match(current, /\/img\/squares%2Fsquares-3\.png\/[0-9a-f]{16}\/64x64$/);
  assert.equal(await page.evaluate(() => document.querySelector("#history img").style.backgroundImage), "");
  await screenshot(page, "history-loaded");
  await context.close();
});
