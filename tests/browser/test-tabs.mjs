// SPDX-License-Identifier: MIT
// Ten tabs of the page in one browser share one live connection: the
// server sees one open stream, every tab shows every picture, and when the
// leading tab closes another takes over without missing an event.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, screenshot } from "./browser.mjs";
import { API, makeImageFolder, publish, removeFolder, startServer } from "./server.mjs";

const TABS = 10;

let browser;
let server;
let folder;

before(async () => {
  folder = makeImageFolder();
  server = await startServer({ images: folder });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  removeFolder(folder);
});

async function serverStats() {
  const response = await fetch(`${server.url}${API}/stats`);
  return response.json();
}

async function waitForStats(predicate, what, timeout = 5000) {
  const deadline = Date.now() + timeout;
  let stats;
  while (Date.now() < deadline) {
    stats = await serverStats();
    if (predicate(stats)) return stats;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`${what}; the server's stats: ${JSON.stringify(stats)}`);
}

async function roles(pages) {
  return Promise.all(pages.map((page) => page.evaluate(() => document.documentElement.dataset.liveRole)));
}

// Every tab has the event in its history (a picture may be replaced by the
// next one quickly, so the history, not the picture, proves it arrived).
async function waitForEventEverywhere(pages, event) {
  await Promise.all(pages.map((page, index) => page.waitForFunction(
    (id) => document.querySelector(`#history .thumb[data-key^="event-${id}-"]`) !== null,
    event.id, { timeout: 10000 },
  ).catch(() => assert.fail(`tab ${index} never showed event #${event.id} (${event.name})`))));
}

test("ten tabs, one stream; each picture reaches every tab; the leader closes and the rest follow on", async () => {
  const context = await browser.newContext({ viewport: { width: 700, height: 800 } });
  const pages = [];
  for (let index = 0; index < TABS; index++) {
    const page = await context.newPage();
    page.on("pageerror", (error) => { throw error; });
    await page.goto(`${server.url}/?live&transport=sse`);
    await page.waitForSelector("html[data-ready='true']");
    pages.push(page);
  }
  await Promise.all(pages.map((page) => page.waitForFunction(
    () => document.getElementById("status").dataset.state === "connected", null, { timeout: 5000 })));
  const before = await roles(pages);
  assert.equal(before.filter((role) => role === "leader").length, 1, `one leader: ${before}`);
  assert.equal(before.filter((role) => role === "follower").length, TABS - 1);
  await waitForStats((stats) => stats.open_streams === 1, "ten tabs should hold exactly one stream");

  for (const name of ["01.png", "02.png", "03.png"]) {
    await waitForEventEverywhere(pages, await publish(server, name));
  }

  // The leader goes; an event published at once must still reach everyone.
  const leader = pages[before.indexOf("leader")];
  await leader.close();
  const rest = pages.filter((page) => page !== leader);
  const duringTakeover = await publish(server, "04.png");
  const afterTakeover = await publish(server, "05.png");
  await waitForEventEverywhere(rest, duringTakeover);
  await waitForEventEverywhere(rest, afterTakeover);
  const now = await roles(rest);
  assert.equal(now.filter((role) => role === "leader").length, 1, `a new leader: ${now}`);
  await waitForStats((stats) => stats.open_streams === 1, "after the takeover, still one stream");
  await screenshot(rest[0], "tabs-follower");
  await context.close();
  await waitForStats((stats) => stats.open_streams === 0, "closing every tab should close the stream");
});
