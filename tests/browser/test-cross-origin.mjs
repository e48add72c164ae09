// SPDX-License-Identifier: MIT
// A page of another origin, in the real Chromium, against a server on
// loopback with no token: the writes a browser sends without asking (a
// text/plain POST, a multipart form) are refused and publish nothing, the
// reads stay open, and an origin named by --allow-origin may write after a
// proper preflight.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { launchBrowser } from "./browser.mjs";
import { API, makeImageFolder, removeFolder, startServer } from "./server.mjs";

let browser;
let folder;
let otherSite;       // a plain page on http://localhost:PORT, another site than 127.0.0.1
let otherOrigin;

before(async () => {
  folder = makeImageFolder();
  browser = await launchBrowser();
  otherSite = createServer((request, response) => {
    response.writeHead(200, { "Content-Type": "text/html" });
    response.end("<!doctype html><title>another site</title><p>another site</p>");
  });
  await new Promise((resolve) => otherSite.listen(0, "127.0.0.1", resolve));
  otherOrigin = `http://localhost:${otherSite.address().port}`;
});

after(async () => {
  await browser?.close();
  otherSite?.close();
  removeFolder(folder);
});

// 204: no event was published since the server started.
async function nothingPublished(server) {
  const response = await fetch(`${server.url}${API}/rndimg/poll?since=0&timeout=1`);
  return response.status === 204;
}

async function pageOfOtherSite() {
  const page = await browser.newPage();
  await page.goto(otherOrigin);
  return page;
}

test("a page of another site cannot publish or upload without a preflight", async () => {
  const server = await startServer({ images: folder });
  try {
    const page = await pageOfOtherSite();
    const png = readFileSync(join(process.env.RNDIMG_IMAGES, "01.png")).toString("base64");
    const outcomes = await page.evaluate(async ({ base, png }) => {
      const tried = {};
      // Both are "simple" requests: the browser sends them without a preflight.
      const plain = await fetch(`${base}/publish`, {
        method: "POST", mode: "no-cors", headers: { "Content-Type": "text/plain" }, body: "{}",
      });
      tried.plain = plain.type;
      const form = new FormData();
      const bytes = Uint8Array.from(atob(png), (c) => c.charCodeAt(0));
      form.append("image", new Blob([bytes], { type: "image/png" }), "evil.png");
      const upload = await fetch(`${base}/images`, { method: "POST", mode: "no-cors", body: form });
      tried.upload = upload.type;
      // A CORS write is refused too: the answer names no origin, so the page cannot read it.
      tried.cors = await fetch(`${base}/publish`, {
        method: "POST", headers: { "Content-Type": "text/plain" }, body: "{}",
      }).then(() => "readable", () => "blocked");
      // Reads stay open to every page.
      const read = await fetch(`${base}/rndimg`).then((r) => r.json());
      tried.read = read.status;
      return tried;
    }, { base: server.url + API, png });
    assert.equal(outcomes.plain, "opaque", "the text/plain POST went out (opaque answer)");
    assert.equal(outcomes.upload, "opaque", "the form upload went out (opaque answer)");
    assert.equal(outcomes.cors, "blocked", "a CORS write from another site is not readable");
    assert.equal(outcomes.read, "success", "a read from another site is answered");
    assert.ok(await nothingPublished(server), "nothing was published or uploaded by the other site");
    const images = await fetch(`${server.url}${API}/images`).then((r) => r.json());
    assert.ok(!images.images.some((image) => image.name.includes("evil")), "the upload is not in the catalogue");
    await page.close();
  } finally {
    await server.stop();
  }
});

test("an origin given with --allow-origin may write, after a preflight", async () => {
  const server = await startServer({ images: folder, args: [`--allow-origin=${otherOrigin}`] });
  try {
    const page = await pageOfOtherSite();
    const answer = await page.evaluate(async (base) => {
      // application/json is not "simple": Chromium sends an OPTIONS preflight first.
      const response = await fetch(`${base}/publish`, {
        method: "POST", headers: { "Content-Type": "application/json" }, body: "{}",
      });
      return { status: response.status, body: await response.json() };
    }, server.url + API);
    assert.equal(answer.status, 201);
    assert.equal(answer.body.status, "success");
    assert.ok(!(await nothingPublished(server)), "the allowed origin's publish went through");
    await page.close();
  } finally {
    await server.stop();
  }
});
