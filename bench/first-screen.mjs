// SPDX-License-Identifier: MIT
// The page's first screen, cold: Chromium (its own Accept: AVIF, WebP...)
// on a server started afresh (no variant cached, no master made), ten
// photographs (2000x1333 JPEGs) published one after another while the page
// follows live; the time from the first publish until the ten thumbnails
// and the stage's picture are shown, and the server's CPU (utime + stime)
// until then and until its render queue is empty (what is made for the
// next asker included). Each server in turn, per round:
//   node bench/first-screen.mjs [--rounds N] [--scale 1|2] SERVER...
// SERVER: a built rndimg-server (its render module, rndimg-render.so,
// beside it: `meson compile -C build-bench server/rndimg-server
// server/rndimg-render`); Chromium and Playwright from tests/browser
// (`npm ci` there, as scripts/test.sh does).
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { launchBrowser } from "../tests/browser/browser.mjs";
import { API, publish } from "../tests/browser/server.mjs";

const args = process.argv.slice(2);
let rounds = 3;
let scale = 2;
const servers = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--rounds") rounds = Number(args[++i]);
  else if (args[i] === "--scale") scale = Number(args[++i]);
  else servers.push(args[i]);
}
if (servers.length === 0) throw new Error("usage: first-screen.mjs [--rounds N] [--scale 1|2] SERVER...");

const SHIPPED = new URL("../data/img", import.meta.url).pathname;
// Every server serves this checkout's page: an older binary's own page
// would ask for other variants.
const WEB = new URL("../web", import.meta.url).pathname;
const TICKS = Number(execFileSync("getconf", ["CLK_TCK"]).toString());
const NAMES = Array.from({ length: 10 }, (_, i) => `photo-${String(i + 1).padStart(2, "0")}.jpg`);

// Ten photographs: each shipped picture enlarged five times, cut to 2000x1333.
function makePhotographs() {
  const folder = mkdtempSync(join(tmpdir(), "rndimg-first-screen-"));
  NAMES.forEach((name, i) => {
    const large = join(folder, `large-${i}.v`);
    execFileSync("vips", ["resize", join(SHIPPED, `0${i + 1}.png`), large, "5"]);
    execFileSync("vips", ["crop", large, join(folder, `${name}[Q=90]`), "0", "0", "2000", "1333"]);
    rmSync(large);
  });
  return folder;
}

async function startServer(binary, images) {
  const state = mkdtempSync(join(tmpdir(), "rndimg-first-screen-state-"));
  const child = spawn(binary, ["--port=0", `--images=${images}`, "--interval=0", `--state-file=${state}/history.json`,
                               `--uploads=${state}`, `--web=${WEB}`], { stdio: ["ignore", "pipe", "ignore"] });
  const url = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once("line", (line) => resolve(line.replace(/\/$/, "")));
    child.once("exit", (code) => reject(new Error(`${binary} exited with ${code}`)));
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return {
    url,
    cpuMs: () => {
      const fields = readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1].split(" ");
      return (Number(fields[11]) + Number(fields[12])) * 1000 / TICKS;
    },
    async stop() {
      child.kill("SIGTERM");
      await exited;
      rmSync(state, { recursive: true, force: true });
    },
  };
}

async function metric(server, name) {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const match = text.match(new RegExp(`^${name} ([0-9.e+]+)$`, "m"));
  return match ? Number(match[1]) : 0;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// The page asks canonical URLs once the server knows each picture's version.
async function waitForVersions(server) {
  for (let tries = 0; tries < 600; tries++) {
    const list = await (await fetch(`${server.url}${API}/images`)).json();
    if (list.images.length === NAMES.length && list.images.every((image) => image.variant_version)) return;
    await sleep(100);
  }
  throw new Error("the variant versions were not computed");
}

async function waitUntilIdle(server) {
  for (let tries = 0; tries < 1200; tries++) {
    if (await metric(server, "rndimg_variant_render_queue") === 0 &&
        await metric(server, "rndimg_variant_renders_running") === 0) return;
    await sleep(50);
  }
  throw new Error("the renders did not end");
}

async function firstScreen(browser, binary, images) {
  const server = await startServer(binary, images);
  try {
    await waitForVersions(server);
    await sleep(500);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: scale });
    const page = await context.newPage();
    const formats = {};
    const variants = [];
    page.on("response", (response) => {
      const type = response.headers()["content-type"] ?? "";
      if (response.url().includes("/img/") && type.startsWith("image/")) {
        formats[type] = (formats[type] ?? 0) + 1;
        variants.push(`${response.url().replace(/^.*\/img\//, "")} ${type}`);
      }
    });
    await page.goto(`${server.url}/?live`);
    await page.waitForSelector("#live-label[data-connection='connected']");
    const cpuBefore = server.cpuMs();
    const started = performance.now();
    for (const name of NAMES) await publish(server, name);
    await page.waitForFunction(([count, last]) =>
      [...document.querySelectorAll("#history img")].filter((image) => image.complete && image.naturalWidth > 0)
        .length === count &&
      document.getElementById("picture").src.endsWith(`/static/img/${last}`) &&
      document.getElementById("picture").complete && !document.getElementById("stage").dataset.loading,
    [NAMES.length, NAMES.at(-1)], { timeout: 120000, polling: 20 });
    const shownMs = performance.now() - started;
    const cpuShown = server.cpuMs() - cpuBefore;
    await waitUntilIdle(server);
    const cpuIdle = server.cpuMs() - cpuBefore;
    await context.close();
    if (process.env.FIRST_SCREEN_URLS) console.log(variants.join("\n"));
    return { shownMs, cpuShown, cpuIdle, formats };
  } finally {
    await server.stop();
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const images = makePhotographs();
const browser = await launchBrowser();
const results = servers.map(() => []);
try {
  for (let round = 1; round <= rounds; round++) {
    for (const [i, binary] of servers.entries()) {
      const result = await firstScreen(browser, binary, images);
      results[i].push(result);
      console.log(`round ${round} ${binary}: shown in ${result.shownMs.toFixed(0)} ms, server CPU ` +
                  `${result.cpuShown.toFixed(0)} ms until then, ${result.cpuIdle.toFixed(0)} ms until idle; ` +
                  `${JSON.stringify(result.formats)}`);
    }
  }
} finally {
  await browser.close();
  rmSync(images, { recursive: true, force: true });
}
console.log(`\n| server (${scale}x, ten 2000x1333 JPEGs, live) | first screen shown (ms) | server CPU until shown (ms) | ` +
            `server CPU until idle (ms) |`);
console.log("| --- | --- | --- | --- |");
for (const [i, binary] of servers.entries()) {
  const span = (key) => `${median(results[i].map((r) => r[key])).toFixed(0)} ` +
    `(${Math.min(...results[i].map((r) => r[key])).toFixed(0)}–${Math.max(...results[i].map((r) => r[key])).toFixed(0)})`;
  console.log(`| \`${binary}\` | ${span("shownMs")} | ${span("cpuShown")} | ${span("cpuIdle")} |`);
}
