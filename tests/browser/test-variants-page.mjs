// SPDX-License-Identifier: MIT
// The page asks for picture variants, in Chromium against a real server:
// the history strip's thumbnails are 64x64 variants for the screen's pixel
// ratio (srcset) in a format the browser takes, the main picture a
// variant no larger than the stage; and what the first screen with ten
// pictures in history downloads, against the originals it used to get.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { join } from "node:path";
import { launchBrowser } from "./browser.mjs";
import { makeImageFolder, removeFolder, startServer } from "./server.mjs";

let browser;
let server;
let folder;

before(async () => {
  folder = makeImageFolder(9);
  server = await startServer({ images: folder });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  removeFolder(folder);
});

async function firstScreenWithTen(deviceScaleFactor) {
  const context = await browser.newContext({ viewport: { width: 800, height: 900 }, deviceScaleFactor });
  const page = await context.newPage();
  const images = [];
  page.on("response", async (response) => {
    const type = response.headers()["content-type"] ?? "";
    if (type.startsWith("image/")) images.push({ url: response.url(), type, bytes: (await response.body()).length });
  });
  await page.goto(`${server.url}/`);
  await page.waitForSelector("html[data-ready='true']");
  for (let count = 1; count <= 10; count++) {
    await page.waitForFunction(() => document.getElementById("get").getAttribute("aria-busy") !== "true");
    await page.click("#get");
    await page.waitForFunction((n) => document.querySelectorAll("#history img").length === n &&
      [...document.querySelectorAll("#history img")].every((image) => image.complete && image.naturalWidth > 0) &&
      document.getElementById("picture").complete, count, { timeout: 10000 });
  }
  await page.waitForLoadState("networkidle");
  const thumbnails = await page.evaluate(() => [...document.querySelectorAll("#history img")].map((image) =>
    ({ src: image.getAttribute("src"), current: image.currentSrc, width: image.naturalWidth, height: image.naturalHeight })));
  const picture = await page.evaluate(() => {
    const image = document.getElementById("picture");
    return { src: image.getAttribute("src"), current: image.currentSrc, width: image.naturalWidth };
  });
  await context.close();
  return { images, thumbnails, picture };
}

// What the page downloaded before variants: each picture shown, whole, once.
function originalBytes(thumbnails) {
  const names = new Set(thumbnails.map((thumbnail) => decodeURIComponent(thumbnail.src.split("/").pop())));
  return [...names].reduce((sum, name) => sum + statSync(join(folder, name)).size, 0);
}

for (const scale of [1, 2]) {
  test(`ten pictures in history at ${scale}x: thumbnails and the picture are variants`, async () => {
    const { images, thumbnails, picture } = await firstScreenWithTen(scale);
    assert.equal(thumbnails.length, 10);
    for (const thumbnail of thumbnails) {
      assert.match(thumbnail.src, /\/static\/img\//, "the original stays the fallback");
      // currentSrc is the spelling asked for; it redirects to the canonical URL.
      const asked = scale === 1 ? "/64x64" : `/64x64@${scale}x`;
      assert.ok(thumbnail.current.endsWith(asked), `sized for ${scale}x: ${thumbnail.current}`);
      assert.equal(thumbnail.width, 64);
      assert.equal(thumbnail.height, 64);
    }
    assert.match(picture.current, /\/img\/[^/]+\/520x520(@2x)?\?fit=inside$/);
    const canonical = images.filter((image) => /\/img\/[^/]+\/[0-9a-f]{16}\//.test(image.url));
    assert.ok(canonical.length >= thumbnails.length, "the bytes come from canonical URLs");
    const variantTypes = new Set(images.filter((image) => image.url.includes("/img/")).map((image) => image.type));
    assert.deepEqual([...variantTypes].filter((type) => !["image/avif", "image/webp"].includes(type)), [],
      `variants in a modern format: ${[...variantTypes]}`);
    assert.equal(images.filter((image) => image.url.includes("/static/img/")).length, 0, "no original downloaded");
    const after = images.reduce((sum, image) => sum + image.bytes, 0);
    const before = originalBytes(thumbnails);
    console.log(`first screen, ten pictures in history, ${scale}x: ${before} bytes of originals before, ` +
                `${after} bytes of variants now (${(after / before * 100).toFixed(1)} %)`);
    assert.ok(after < before / 2, `variants (${after} bytes) less than half the originals (${before} bytes)`);
  });
}
