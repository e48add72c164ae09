// SPDX-License-Identifier: MIT
// Every URL that @faker-js/faker's image.urlPicsumPhotos() builds (all its
// options: width, height, grayscale, blur 0..10) works against rndimg with
// only the host changed: a 302 (no-store, Picsum-ID) to an immutable
// variant whose JPEG has exactly the asked size, one channel when gray.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Faker, en } from "@faker-js/faker";
import { makeImageFolder, removeFolder, startServer } from "./server.mjs";

const COUNT = Number(process.env.RNDIMG_FAKER_URLS ?? 200);
const PARALLEL = 4;

// Width, height and channels from a baseline or progressive JPEG's SOF marker.
function jpegFrame(bytes) {
  assert.equal(bytes[0], 0xff, "not a JPEG");
  assert.equal(bytes[1], 0xd8, "not a JPEG");
  let at = 2;
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) throw new Error(`no marker at ${at}`);
    const marker = bytes[at + 1];
    const length = (bytes[at + 2] << 8) | bytes[at + 3];
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      return {
        height: (bytes[at + 5] << 8) | bytes[at + 6],
        width: (bytes[at + 7] << 8) | bytes[at + 8],
        channels: bytes[at + 9],
      };
    }
    at += 2 + length;
  }
  throw new Error("no frame header in the JPEG");
}

function makeUrls(faker) {
  const urls = [];
  for (let i = 0; i < COUNT; i++) {
    // Half with every option left to faker, half with each option given.
    const options = i % 2 === 0 ? {} : {
      width: faker.number.int({ min: 1, max: 3999 }),
      height: faker.number.int({ min: 1, max: 3999 }),
      grayscale: faker.datatype.boolean(),
      blur: faker.number.int({ min: 0, max: 10 }),
    };
    urls.push(faker.image.urlPicsumPhotos(options));
  }
  return urls;
}

async function fetchOnce(url) {
  for (;;) {
    const response = await fetch(url, { redirect: "manual" });
    if (response.status !== 503) return response;
    await response.arrayBuffer();
    const wait = Number(response.headers.get("retry-after") ?? 1);
    await new Promise((resolve) => setTimeout(resolve, wait * 1000));
  }
}

async function check(server, picsumUrl) {
  const expected = new URL(picsumUrl);
  const [, , width, height] = expected.pathname.split("/").slice(1);
  const url = server.url + expected.pathname + expected.search;
  const redirect = await fetchOnce(url);
  await redirect.arrayBuffer();
  assert.equal(redirect.status, 302, url);
  assert.match(redirect.headers.get("cache-control"), /no-store/, url);
  assert.ok(redirect.headers.get("picsum-id"), url);
  const variant = await fetchOnce(redirect.headers.get("location"));
  const bytes = new Uint8Array(await variant.arrayBuffer());
  assert.equal(variant.status, 200, url);
  assert.equal(variant.headers.get("content-type"), "image/jpeg", url);
  assert.equal(variant.headers.get("cache-control"), "public, max-age=31536000, immutable", url);
  const frame = jpegFrame(bytes);
  assert.equal(frame.width, Number(width), `${url}: width`);
  assert.equal(frame.height, Number(height), `${url}: height`);
  assert.equal(frame.channels, expected.searchParams.has("grayscale") ? 1 : 3, `${url}: channels`);
}

test(`${COUNT} URLs from faker.image.urlPicsumPhotos()`, { timeout: 600_000 }, async () => {
  const faker = new Faker({ locale: [en] });
  faker.seed(20);
  const urls = makeUrls(faker);
  assert.ok(urls.some((url) => url.includes("grayscale")), "some gray");
  assert.ok(urls.some((url) => /blur=\d+/.test(url)), "some blurred");
  assert.ok(urls.some((url) => !url.includes("?")), "some plain");
  const folder = makeImageFolder(8);
  // One client asking 200 cold variants at once is what the per-client
  // render share refuses (429); this test is about the URLs, not the limit.
  const server = await startServer({ images: folder, args: ["--render-workers=2", "--render-rate=0"] });
  try {
    let next = 0;
    const worker = async () => {
      while (next < urls.length) await check(server, urls[next++]);
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
  } finally {
    await server.stop();
    removeFolder(folder);
  }
});
