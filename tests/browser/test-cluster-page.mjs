// SPDX-License-Identifier: MIT
// The page through the cluster (scripts/cluster.sh: Redis, three nodes,
// nginx): Live follows; the node holding the page's event stream is killed
// with SIGKILL, and the page reconnects through nginx to another node and
// shows every picture published meanwhile.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { launchBrowser, screenshot } from "./browser.mjs";
import { API } from "./server.mjs";

const SOURCE_ROOT = process.env.RNDIMG_SOURCE_ROOT;

let browser;
let cluster;
let folder;
let lb;
let nodePorts;

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

before(async () => {
  folder = mkdtempSync(join(tmpdir(), "rndimg-cluster-page-"));
  const [port, redisPort, ...nodes] = await Promise.all([1, 2, 3, 4, 5].map(freePort));
  nodePorts = nodes;
  cluster = spawn(join(SOURCE_ROOT, "scripts", "cluster.sh"), ["--interval", "0"], {
    cwd: SOURCE_ROOT,
    env: { ...process.env, PORT: String(port), REDIS_PORT: String(redisPort),
           NODE_PORTS: nodes.join(" "), CLUSTER_DIR: folder },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: cluster.stdout });
  lb = await new Promise((resolve, reject) => {
    lines.once("line", (line) => resolve(line.replace(/\/$/, "")));
    cluster.once("exit", (code) => reject(new Error(`cluster.sh exited with ${code}`)));
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  if (cluster && cluster.exitCode === null) {
    const exited = new Promise((resolve) => cluster.once("exit", resolve));
    cluster.kill("SIGTERM");
    await exited;
  }
  rmSync(folder, { recursive: true, force: true });
});

async function publishThroughBalancer(name) {
  const response = await fetch(`${lb}${API}/publish`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ name }),
  });
  assert.equal(response.status, 201, `publish through nginx answered ${response.status}`);
  return response.json();
}

// Which node (1, 2 or 3) holds the page's event stream.
async function nodeHoldingTheStream() {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    for (const [index, port] of nodePorts.entries()) {
      const stats = await (await fetch(`http://127.0.0.1:${port}${API}/stats`)).json();
      if (stats.open_streams === 1) return index + 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail("no node holds the page's event stream");
}

async function waitUntilRefused(port) {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    try {
      await fetch(`http://127.0.0.1:${port}/healthz`);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`the killed node on port ${port} still answers`);
}

async function waitForEvent(page, event) {
  await page.waitForFunction(
    (id) => document.querySelector(`#history .thumb[data-key^="event-${id}-"]`) !== null,
    event.id, { timeout: 15000 },
  ).catch(() => assert.fail(`the page never showed event #${event.id} (${event.name})`));
}

test("SIGKILL the node under a live page: the page follows on through nginx, missing nothing", async () => {
  const page = await browser.newPage({ viewport: { width: 700, height: 800 } });
  page.on("pageerror", (error) => { throw error; });
  await page.goto(`${lb}/?live&transport=sse`);
  await page.waitForSelector("html[data-ready='true']");
  await page.waitForFunction(() => document.getElementById("status").dataset.state === "connected",
    null, { timeout: 5000 });
  await waitForEvent(page, await publishThroughBalancer("01.png"));

  const node = await nodeHoldingTheStream();
  process.kill(Number(readFileSync(join(folder, `node${node}.pid`), "utf8")), "SIGKILL");
  // Gone for good before publishing: a request nginx hands to a node in
  // its last instant is lost with it (a 502 its client must retry).
  await waitUntilRefused(nodePorts[node - 1]);
  const whileDown = await publishThroughBalancer("02.png");
  const after = await publishThroughBalancer("03.png");
  await waitForEvent(page, whileDown);
  await waitForEvent(page, after);
  assert.equal(await page.getAttribute("#status", "data-last-id"), String(after.id));
  await screenshot(page, "cluster-after-kill");
  await page.close();
});
