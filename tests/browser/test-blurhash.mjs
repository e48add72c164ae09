// SPDX-License-Identifier: MIT
// The server's BlurHash and average colour, checked by an independent
// decoder (npm blurhash, pinned in package.json): the decoded picture has
// the picture's orientation, its mean is the given colour, a red-left
// blue-right picture decodes red on the left; and placeholders survive a
// restart (kept in the state folder). Node only, no browser.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { decode } from "blurhash";
import { makeImageFolder, removeFolder, startServer } from "./server.mjs";
import { writePng } from "./png-writer.mjs";

const API = "/polling/api/v1.0";
const BASE83 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~";

function components(hash) {
  const flag = BASE83.indexOf(hash[0]);
  return { x: (flag % 9) + 1, y: Math.floor(flag / 9) + 1 };
}

function mean(pixels, fromX, toX, width, height) {
  const sum = [0, 0, 0];
  let count = 0;
  for (let y = 0; y < height; y++) {
    for (let x = fromX; x < toX; x++) {
      for (let c = 0; c < 3; c++) sum[c] += pixels[(y * width + x) * 4 + c];
      count++;
    }
  }
  return sum.map((value) => value / count);
}

const toLinear = (v) => (v / 255 <= 0.04045 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4);
const toSrgb = (v) => 255 * (v <= 0.0031308 ? v * 12.92 : 1.055 * v ** (1 / 2.4) - 0.055);

// The mean in linear light, as sRGB: what an average colour of light is.
function linearMean(pixels, width, height) {
  const sum = [0, 0, 0];
  for (let i = 0; i < width * height; i++) {
    for (let c = 0; c < 3; c++) sum[c] += toLinear(pixels[i * 4 + c]);
  }
  return sum.map((value) => toSrgb(value / (width * height)));
}

function hexColour(text) {
  return [1, 3, 5].map((start) => parseInt(text.slice(start, start + 2), 16));
}

async function waitForPlaceholders(server, count) {
  const deadline = Date.now() + 15000;
  for (;;) {
    const list = await (await fetch(`${server.url}${API}/images`)).json();
    const done = list.images.filter((image) => image.blurhash !== null);
    if (done.length === count) return list.images;
    if (Date.now() > deadline) throw new Error(`only ${done.length} of ${count} placeholders after 15 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function makeFolder() {
  const folder = makeImageFolder(3);
  mkdirSync(join(folder, "shapes"));
  writePng(join(folder, "shapes", "red-blue.png"), 120, 60, (x) => (x < 60 ? [220, 20, 20] : [20, 20, 220]));
  writePng(join(folder, "shapes", "tall.png"), 50, 150, (x, y) => [y, 255 - y, 128]);
  return folder;
}

test("BlurHash and colour decode back to the picture", async () => {
  const folder = makeFolder();
  const server = await startServer({ images: folder });
  try {
    const images = await waitForPlaceholders(server, 5);
    for (const image of images) {
      assert.match(image.colour, /^#[0-9a-f]{6}$/);
      const { x, y } = components(image.blurhash);
      if (image.orientation === "landscape") assert.ok(x > y, `${image.name}: ${x}x${y} components`);
      if (image.orientation === "portrait") assert.ok(y > x, `${image.name}: ${x}x${y} components`);
      const pixels = decode(image.blurhash, 32, 32);
      const average = linearMean(pixels, 32, 32);
      hexColour(image.colour).forEach((value, c) =>
        assert.ok(Math.abs(value - average[c]) < 24, `${image.name}: channel ${c} ${value} vs decoded ${average[c]}`));
    }
    const redBlue = images.find((image) => image.name === "shapes/red-blue.png");
    const pixels = decode(redBlue.blurhash, 40, 20);
    const left = mean(pixels, 0, 10, 40, 20);
    const right = mean(pixels, 30, 40, 40, 20);
    assert.ok(left[0] > left[2] + 60 && right[2] > right[0] + 60, `left ${left}, right ${right}`);

    const details = await (await fetch(`${server.url}${API}/images/shapes/red-blue.png`)).json();
    assert.equal(details.image.blurhash, redBlue.blurhash);
    const random = await (await fetch(`${server.url}${API}/rndimg?album=shapes&orientation=landscape`)).json();
    assert.equal(random.image.blurhash, redBlue.blurhash);
  } finally {
    await server.stop();
  }
  // Kept in the state folder: known at once after a restart.
  const again = await startServer({ images: folder });
  try {
    const list = await (await fetch(`${again.url}${API}/images`)).json();
    assert.equal(list.images.filter((image) => image.blurhash === null).length, 0);
  } finally {
    await again.stop();
    removeFolder(folder);
  }
});
