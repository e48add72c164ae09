// SPDX-License-Identifier: MIT
// What the page costs to load, in Chromium over the DevTools protocol
// against a real server with the shipped pictures: every module app.js
// imports is preloaded (and nothing it imports later); the served page
// names every file by its content hash, kept a year as immutable; the
// first screen comes compressed and at most 40 KB on the wire cold; a
// repeat visit asks the network at most four times. The timings live in
// bench/page-load.mjs, never here.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { launchBrowser, openPage } from "./browser.mjs";
import { removeFolder, startServer } from "./server.mjs";

const WEB = process.env.RNDIMG_WEB ?? new URL("../../web", import.meta.url).pathname;
const FIRST_SCREEN_BYTES = 40000;
const REPEAT_VISIT_REQUESTS = 4;

let browser;
let server;
let folder;

before(async () => {
  folder = mkdtempSync(join(tmpdir(), "rndimg-page-load-"));
  cpSync(process.env.RNDIMG_IMAGES, folder, { recursive: true });
  server = await startServer({ images: folder });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  removeFolder(folder);
});

// The modules @file imports statically, and theirs, by path below web/.
function staticImports(file, seen = new Set()) {
  const text = readFileSync(join(WEB, file), "utf8");
  for (const match of text.matchAll(/^\s*import\s[^;]*?from\s+"(\.\/[^"]+)";/gms)) {
    const imported = join(dirname(file), match[1]);
    if (seen.has(imported)) continue;
    seen.add(imported);
    staticImports(imported, seen);
  }
  return seen;
}

test("every module app.js imports is preloaded by the page, and only those", () => {
  const page = readFileSync(join(WEB, "index.html"), "utf8");
  const preloaded = [...page.matchAll(/<link rel="modulepreload" href="([^"]+)">/g)].map((match) => match[1]);
  const imported = [...staticImports("js/app.js")].sort();
  assert.deepEqual([...preloaded].sort(), imported);
  for (const later of ["js/upload.js", "js/fullscreen.js", "js/live-share.js"]) {
    assert.ok(!preloaded.includes(later), `${later} is imported when needed, not with the page`);
  }
});

// Every request a page makes, and what reached the network.
async function watchNetwork(page) {
  const cdp = await page.context().newCDPSession(page);
  const requests = new Map();
  await cdp.send("Network.enable");
  cdp.on("Network.requestWillBeSent", ({ requestId, request }) => {
    if (!request.url.startsWith("data:")) requests.set(requestId, { url: request.url, network: true, bytes: 0 });
  });
  cdp.on("Network.responseReceived", ({ requestId, response }) => {
    const request = requests.get(requestId);
    if (!request) return;
    request.encoding = response.headers["content-encoding"] ?? response.headers["Content-Encoding"] ?? null;
    request.type = response.mimeType;
    if (response.fromDiskCache || response.fromMemoryCache || response.fromPrefetchCache) request.network = false;
  });
  cdp.on("Network.requestServedFromCache", ({ requestId }) => {
    const request = requests.get(requestId);
    if (request) request.network = false;
  });
  cdp.on("Network.loadingFinished", ({ requestId, encodedDataLength }) => {
    const request = requests.get(requestId);
    if (request) request.bytes = encodedDataLength;
  });
  return requests;
}

// Until no request has started for a while.
async function networkIdle(requests) {
  let count = -1;
  while (count !== requests.size) {
    count = requests.size;
    await new Promise((resolve) => setTimeout(resolve, 700));
  }
}

async function visit(context) {
  const page = await context.newPage();
  const requests = await watchNetwork(page);
  await openPage(page, server.url);
  await networkIdle(requests);
  await page.close();
  return [...requests.values()].filter((request) => request.network);
}

test("the served page names every file by its content hash, kept a year", async () => {
  const response = await fetch(`${server.url}/`);
  const text = await response.text();
  const referenced = [...text.matchAll(/(?:href|src|data-catalogue)="((?:js|css|i18n)\/[^"]+|favicon[^"]*)"/g)]
    .map((match) => match[1]);
  assert.ok(referenced.length >= 12, `the page names ${referenced.length} files`);
  for (const name of referenced) {
    assert.match(name, /\.[0-9a-f]{12}\.[a-z]+$/, `${name} by its hash`);
    const file = await fetch(`${server.url}/${name}`);
    assert.equal(file.status, 200, name);
    assert.equal(file.headers.get("cache-control"), "public, max-age=31536000, immutable", name);
  }
  const map = JSON.parse(text.match(/<script type="importmap">([^<]*)<\/script>/)[1]);
  assert.ok(Object.keys(map.imports).includes("./js/fullscreen.js"), "modules imported later are mapped too");
});

test("the first screen, cold: compressed and at most 40 KB on the wire; a repeat visit asks at most 4 times", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const cold = await visit(context);
  const bytes = cold.reduce((sum, request) => sum + request.bytes, 0);
  const report = cold.map((request) => `${request.url.replace(server.url, "")} ${request.bytes} ${request.encoding ?? "-"}`);
  console.log(`first screen cold: ${cold.length} requests, ${bytes} bytes\n  ${report.join("\n  ")}`);
  for (const request of cold) {
    if (/text\/(html|css|javascript)|json/.test(request.type) && !request.url.includes("/polling/api/")) {
      assert.equal(request.encoding, "br", `${request.url} compressed`);
    }
  }
  assert.ok(bytes <= FIRST_SCREEN_BYTES, `the first screen is ${bytes} bytes on the wire`);

  const repeat = await visit(context);
  console.log(`repeat visit: ${repeat.map((request) => request.url.replace(server.url, "")).join(" ")}`);
  assert.ok(repeat.length <= REPEAT_VISIT_REQUESTS, `a repeat visit asked ${repeat.length} times`);
  assert.ok(!repeat.some((request) => /\.(js|css)$/.test(new URL(request.url).pathname)), "no module or style asked again");
  await context.close();
});
