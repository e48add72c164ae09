// SPDX-License-Identifier: MIT
// Lorem Picsum's and dog.ceo's clients as they run in a browser, on a page
// of another origin, against rndimg with only the host changed:
// - Picsum: a picture fetched with fetch() (the 302 followed) whose
//   Picsum-ID the page reads, as Picsum's clients read which picture they
//   got; its info and its list's Link; an <img> of a Picsum URL.
// - dog.ceo: what dog.ceo's documented browser examples and its clients do
//   (facts gathered from them, the code ours): list every breed into a
//   <select> from /breeds/list/all (a sub-breed as "breed-sub"), show a
//   random picture of the chosen one from /breed/B[/S]/images/random, read
//   the breed back from the picture's URL (the segment after "breeds", or
//   what follows "/breeds/"), and label pictures with /alt's altText.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchBrowser, screenshot } from "./browser.mjs";
import { removeFolder, startServer } from "./server.mjs";

let browser;
let folder;
let server;
let otherSite;
let otherOrigin;

// Two pictures at the top and the shipped albums (squares has a sub-album).
function makeFolder() {
  const made = mkdtempSync(join(tmpdir(), "rndimg-dropin-"));
  const source = process.env.RNDIMG_IMAGES;
  for (const name of ["01.png", "02.png"])
    cpSync(join(source, name), join(made, name));
  for (const album of ["landscapes", "portraits", "squares"])
    cpSync(join(source, album), join(made, album), { recursive: true });
  return made;
}

before(async () => {
  folder = makeFolder();
  server = await startServer({ images: folder });
  browser = await launchBrowser();
  otherSite = createServer((request, response) => {
    response.writeHead(200, { "Content-Type": "text/html" });
    response.end("<!doctype html><title>a client</title><main></main>");
  });
  await new Promise((resolve) => otherSite.listen(0, "127.0.0.1", resolve));
  otherOrigin = `http://localhost:${otherSite.address().port}`;
});

after(async () => {
  await browser?.close();
  otherSite?.close();
  await server?.stop();
  removeFolder(folder);
});

async function clientPage() {
  const page = await browser.newPage();
  await page.goto(otherOrigin);
  return page;
}

test("a Picsum client on another origin reads Picsum-ID with fetch()", async () => {
  const page = await clientPage();
  const seen = await page.evaluate(async (base) => {
    const picture = await fetch(`${base}/200/300?grayscale`);
    const byId = await fetch(`${base}/id/0/120/80.webp`);
    const info = await fetch(`${base}/id/0/info`).then((r) => r.json());
    const list = await fetch(`${base}/v2/list?limit=2`);
    const img = new Image();
    img.src = `${base}/200/300/?blur=2`;
    await img.decode();
    return {
      status: picture.status,
      redirected: picture.redirected,
      type: picture.headers.get("Content-Type"),
      id: picture.headers.get("Picsum-ID"),
      byIdId: byId.headers.get("Picsum-ID"),
      byIdType: byId.headers.get("Content-Type"),
      info,
      link: list.headers.get("Link"),
      items: (await list.json()).length,
      imgSize: [img.naturalWidth, img.naturalHeight],
    };
  }, server.url);
  assert.equal(seen.status, 200);
  assert.ok(seen.redirected, "the 302 was followed");
  assert.equal(seen.type, "image/jpeg");
  assert.match(seen.id ?? "", /^[0-9]+$/, "Picsum-ID is readable from another origin");
  assert.equal(seen.byIdId, "0");
  assert.equal(seen.byIdType, "image/webp");
  assert.equal(seen.info.id, "0");
  assert.ok(seen.info.download_url.endsWith("/id/0/400/400"));
  assert.match(seen.link ?? "", /rel="next"/, "Link is readable from another origin");
  assert.equal(seen.items, 2);
  assert.deepEqual(seen.imgSize, [200, 300], "Picsum's page's /200/300/?blur=2 shows a 200x300 picture");
  await page.close();
});

test("dog.ceo's browser usage works on rndimg with only the host changed", async () => {
  const page = await clientPage();
  const seen = await page.evaluate(async (base) => {
    const api = `${base}/api`;
    const main = document.querySelector("main");
    // The breed list, as a select: "breed" or "breed-sub" for each.
    const all = await fetch(`${api}/breeds/list/all`).then((r) => r.json());
    const select = document.createElement("select");
    for (const [breed, subs] of Object.entries(all.message)) {
      for (const value of subs.length > 0 ? subs.map((sub) => `${breed}-${sub}`) : [breed]) {
        const option = document.createElement("option");
        option.value = option.textContent = value;
        select.append(option);
      }
    }
    main.append(select);
    // A random picture of the chosen breed.
    select.value = "squares-small";
    const chosen = await fetch(`${api}/breed/${select.value.replace("-", "/")}/images/random`).then((r) => r.json());
    const img = document.createElement("img");
    img.src = chosen.message;
    main.append(img);
    await img.decode();
    // The breed read back from the URL, both ways clients do it.
    const parts = chosen.message.split("/");
    const byIndex = parts[parts.indexOf("breeds") + 1];
    const bySplit = chosen.message.split("/breeds/")[1].split("/")[0];
    // Any breed's picture, and several with their alt text.
    const any = await fetch(`${api}/breeds/image/random`).then((r) => r.json());
    const three = await fetch(`${api}/breeds/image/random/3/alt`).then((r) => r.json());
    for (const { url, altText } of three.message) {
      const labelled = document.createElement("img");
      labelled.src = url;
      labelled.alt = altText;
      main.append(labelled);
      await labelled.decode();
    }
    const missing = await fetch(`${api}/breed/husky/images/random`);
    return {
      options: [...select.options].map((option) => option.value),
      status: chosen.status,
      width: img.naturalWidth,
      byIndex,
      bySplit,
      anyBreed: any.message.split("/breeds/")[1].split("/")[0],
      alts: three.message.map(({ altText }) => altText),
      missing: { status: missing.status, body: await missing.json() },
    };
  }, server.url);
  assert.deepEqual(seen.options, ["landscapes", "portraits", "squares-small"]);
  assert.equal(seen.status, "success");
  assert.equal(seen.width, 160, "the sub-breed's 160-pixel picture is shown");
  assert.equal(seen.byIndex, "squares-small");
  assert.equal(seen.bySplit, "squares-small");
  assert.ok(["landscapes", "portraits", "squares", "squares-small"].includes(seen.anyBreed),
            `a random picture has a breed (${seen.anyBreed})`);
  assert.equal(seen.alts.length, 3);
  for (const alt of seen.alts)
    assert.ok(alt.length > 10, `the owner's alt text (${alt})`);
  assert.equal(seen.missing.status, 404);
  assert.deepEqual(seen.missing.body,
                   { status: "error", message: "Breed not found (main breed does not exist)", code: 404 });
  await screenshot(page, "dropin-dogceo-client");
  await page.close();
});
