#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// What the web page costs a visitor, measured in Debian's Chromium over the
// DevTools protocol (by hand, never in the test run): the first screen cold
// (bytes on the wire, headers included, and requests), a repeat visit
// within the cache's lifetime (requests that reach the network), and the
// time from navigation to the first picture on screen with 150 ms of
// latency on every request (Get pressed the moment the page is ready), cold
// and warm, and with no latency added: the difference over the latency is
// the number of round trips one after the other on the way, which a busy
// machine does not change. Each configuration (a server binary and a web folder) is
// measured in turn, round after round (A B A B …), on the shipped pictures;
// the table gives medians (min–max) and the ratio of the last to the first.
//
//   node bench/page-load.mjs [--rounds N] [--latency MS] NAME=SERVER[:WEB] …
//   node bench/page-load.mjs before=/tmp/main/build/server/rndimg-server:/tmp/main/web \
//                            after=build-release/server/rndimg-server:web
//
// playwright-core comes from tests/browser (npm ci there); CHROMIUM picks
// the browser (default /usr/bin/chromium).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";

const ROOT = new URL("..", import.meta.url).pathname;
const { chromium } = createRequire(join(ROOT, "tests/browser/package.json"))("playwright-core");

function parseArguments(argv) {
  const options = { rounds: 5, latency: 150, configurations: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--rounds") options.rounds = Number(argv[++i]);
    else if (argv[i] === "--latency") options.latency = Number(argv[++i]);
    else if (argv[i] === "--help") {
      console.log("node bench/page-load.mjs [--rounds N] [--latency MS] NAME=SERVER[:WEB] …");
      process.exit(0);
    } else {
      const [name, spec] = argv[i].split("=");
      const [server, web = join(ROOT, "web")] = spec.split(":");
      options.configurations.push({ name, server: resolve(server), web: resolve(web) });
    }
  }
  if (!options.configurations.length) {
    options.configurations.push({ name: "this tree", server: join(ROOT, "build-dev/server/rndimg-server"), web: join(ROOT, "web") });
  }
  return options;
}

async function startServer({ server, web }) {
  const state = mkdtempSync(join(tmpdir(), "rndimg-page-load-"));
  const child = spawn(server, ["--port=0", `--images=${join(ROOT, "data/img")}`, `--web=${web}`, "--interval=0",
    `--state-file=${join(state, "history.json")}`, `--uploads=${join(state, "uploads")}`],
  { stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise((done, fail) => {
    createInterface({ input: child.stdout }).once("line", (line) => done(line.replace(/\/$/, "")));
    child.once("exit", (code) => fail(new Error(`${server} exited with ${code}`)));
  });
  // The placeholders and versions computed, and the web folder prepared,
  // before anything is measured: a visitor comes to a running server.
  for (let tries = 0; tries < 300; tries++) {
    const stats = await (await fetch(`${url}/polling/api/v1.0/stats`)).json();
    if (!stats.placeholders_pending) break;
    await new Promise((done) => setTimeout(done, 100));
  }
  await fetch(`${url}/`, { headers: { "Accept-Encoding": "br" } });
  return {
    url,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((done) => child.once("exit", done));
      rmSync(state, { recursive: true, force: true });
    },
  };
}

// Every request of @page, with what reached the network, its bytes and
// when it started and finished.
async function watchNetwork(page) {
  const cdp = await page.context().newCDPSession(page);
  const requests = new Map();
  await cdp.send("Network.enable");
  cdp.on("Network.requestWillBeSent", ({ requestId, request, timestamp }) => {
    if (!request.url.startsWith("data:")) {
      requests.set(requestId, { url: request.url, network: true, bytes: 0, start: timestamp, end: null });
    }
  });
  cdp.on("Network.responseReceived", ({ requestId, response }) => {
    const request = requests.get(requestId);
    if (request && (response.fromDiskCache || response.fromMemoryCache || response.fromPrefetchCache ||
                    response.fromServiceWorker)) request.network = false;
  });
  cdp.on("Network.requestServedFromCache", ({ requestId }) => {
    const request = requests.get(requestId);
    if (request) request.network = false;
  });
  cdp.on("Network.loadingFinished", ({ requestId, encodedDataLength, timestamp }) => {
    const request = requests.get(requestId);
    if (!request) return;
    request.bytes = encodedDataLength;
    request.end = timestamp;
  });
  return { cdp, requests };
}

// The requests one after the other on the way to @last: the longest chain
// of requests each started after the one before it had finished (the
// browser had to wait for it, or for a connection it held). Counted, not
// timed, so a busy machine does not change it much.
function chainTo(requests, last) {
  const done = [...requests.values()].filter((request) => request.end !== null && request.network);
  const memo = new Map();
  const length = (request) => {
    if (memo.has(request)) return memo.get(request);
    const before = done.filter((other) => other !== request && other.end <= request.start);
    const value = 1 + Math.max(0, ...before.map(length));
    memo.set(request, value);
    return value;
  };
  return last ? length(last) : 0;
}

// Waits until no request has started for @quietMs.
async function networkIdle(requests, quietMs = 700) {
  let count = -1;
  while (count !== requests.size) {
    count = requests.size;
    await new Promise((done) => setTimeout(done, quietMs));
  }
}

function summary(requests) {
  const all = [...requests.values()];
  const network = all.filter((request) => request.network);
  return { requests: network.length, bytes: network.reduce((sum, request) => sum + request.bytes, 0), urls: network.map((r) => r.url) };
}

async function firstScreen(context, url) {
  const page = await context.newPage();
  const { requests } = await watchNetwork(page);
  await page.goto(`${url}/`);
  await page.waitForSelector("html[data-ready='true']");
  await networkIdle(requests);
  await page.close();
  return summary(requests);
}

// Navigation start to the first picture decoded in the stage, Get pressed
// as soon as the page says it is ready.
async function timeToPicture(context, url, latency) {
  const page = await context.newPage();
  const { cdp, requests } = await watchNetwork(page);
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false, latency, downloadThroughput: -1, uploadThroughput: -1,
  });
  await page.goto(`${url}/`, { waitUntil: "commit" });
  await page.waitForSelector("html[data-ready='true']");
  const ready = await page.evaluate(() => performance.now());
  await page.click("#get");
  const shown = await page.waitForFunction(() => {
    const image = document.getElementById("picture");
    return !image.hidden && image.complete && image.naturalWidth > 0 && !image.src.startsWith("data:") &&
      !document.getElementById("stage").dataset.loading && performance.now();
  }, null, { timeout: 30000, polling: "raf" });
  const picture = await shown.jsonValue();
  const source = await page.evaluate(() => document.getElementById("picture").currentSrc);
  await page.close();
  const last = [...requests.values()].filter((request) => request.url === source).at(-1);
  return { ready, picture, chain: chainTo(requests, last) };
}

// The first picture cold, then warm (the same browser again), at @latency.
async function picturesAt(browser, url, latency) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const cold = await timeToPicture(context, url, latency);
  const warm = await timeToPicture(context, url, latency);
  await context.close();
  return { cold, warm };
}

async function measure(browser, url, latency) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const cold = await firstScreen(context, url);
  const repeat = await firstScreen(context, url);
  await context.close();
  const slow = await picturesAt(browser, url, latency);
  const fast = await picturesAt(browser, url, 0);
  return { cold, repeat, coldPicture: slow.cold, warmPicture: slow.warm, coldFast: fast.cold, warmFast: fast.warm };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

function cell(values, unit = "") {
  const m = median(values);
  const low = Math.min(...values);
  const high = Math.max(...values);
  const format = (value) => (unit === " ms" ? Math.round(value).toLocaleString("en") : value.toLocaleString("en"));
  return low === high ? `${format(m)}${unit}` : `${format(m)}${unit} (${format(low)}–${format(high)})`;
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--disable-extensions"],
  });
  const results = new Map(options.configurations.map((configuration) => [configuration.name, []]));
  try {
    for (let round = 1; round <= options.rounds; round++) {
      for (const configuration of options.configurations) {
        const server = await startServer(configuration);
        try {
          const result = await measure(browser, server.url, options.latency);
          results.get(configuration.name).push(result);
          console.error(`round ${round} ${configuration.name}: cold ${result.cold.bytes} B / ${result.cold.requests} requests, ` +
                        `repeat ${result.repeat.requests} requests, first picture ${Math.round(result.coldPicture.picture)} ms ` +
                        `cold, ${Math.round(result.warmPicture.picture)} ms warm`);
          if (round === 1) console.error(`  repeat visit asked: ${result.repeat.urls.join(" ")}`);
        } finally {
          await server.stop();
        }
      }
    }
  } finally {
    await browser.close();
  }
  const rows = [
    ["first screen cold, bytes on the wire", (r) => r.cold.bytes, ""],
    ["first screen cold, requests", (r) => r.cold.requests, ""],
    ["repeat visit, requests on the network", (r) => r.repeat.requests, ""],
    ["repeat visit, bytes on the wire", (r) => r.repeat.bytes, ""],
    [`page ready, cold, ${options.latency} ms per request`, (r) => r.coldPicture.ready, " ms"],
    [`first picture, cold, ${options.latency} ms per request`, (r) => r.coldPicture.picture, " ms"],
    [`first picture, warm, ${options.latency} ms per request`, (r) => r.warmPicture.picture, " ms"],
    ["requests one after the other to the first picture, cold", (r) => r.coldPicture.chain, ""],
    ["requests one after the other to the first picture, warm", (r) => r.warmPicture.chain, ""],
    ["first picture, cold, no added latency", (r) => r.coldFast.picture, " ms"],
    ["first picture, warm, no added latency", (r) => r.warmFast.picture, " ms"],
    // What the latency adds, in round trips: the requests one after the
    // other on the way to the picture, whatever the machine's load.
    [`round trips to the first picture, cold ((${options.latency} ms − none) / ${options.latency})`,
     (r) => Math.round((r.coldPicture.picture - r.coldFast.picture) / options.latency * 10) / 10, ""],
    [`round trips to the first picture, warm`,
     (r) => Math.round((r.warmPicture.picture - r.warmFast.picture) / options.latency * 10) / 10, ""],
  ];
  const names = options.configurations.map((configuration) => configuration.name);
  const lines = [`| ${options.rounds} rounds, 1280x800 | ${names.join(" | ")} |${names.length > 1 ? " ratio |" : ""}`,
                 `| --- |${names.map(() => " --- |").join("")}${names.length > 1 ? " --- |" : ""}`];
  for (const [label, pick, unit] of rows) {
    const values = names.map((name) => results.get(name).map(pick));
    const ratio = names.length > 1 ? ` ${(median(values.at(-1)) / median(values[0])).toFixed(2)} |` : "";
    lines.push(`| ${label} | ${values.map((list) => cell(list, unit)).join(" | ")} |${ratio}`);
  }
  console.log(lines.join("\n"));
}

await main();
