// SPDX-License-Identifier: MIT
// Eight tabs of the page in one browser share one live connection, as a
// team would run it: on a LAN name (pictures.lan, mapped to 127.0.0.1 by
// Chromium's host resolver rules), over plain HTTP, where the page is not
// a secure context (no Web Locks), and over HTTPS with a certificate made
// here. Every tab loads, the server sees one open stream, every tab shows
// the pictures published after it opened, and a tab that closes or
// crashes (the leader, where tabs elect one) loses nobody an event.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchBrowser, screenshot } from "./browser.mjs";
import { makeImageFolder, publish, removeFolder, serverStats, startServer } from "./server.mjs";

const TABS = 8;
const LAN_NAME = "pictures.lan";

let browser;
let folder;
let certificates;

// A CA and a certificate for pictures.lan (and 127.0.0.1, for the test's
// own requests) that it signed; Chromium trusts the certificate's key.
function makeCertificates() {
  const dir = mkdtempSync(join(tmpdir(), "rndimg-tls-"));
  const openssl = (...args) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl("req", "-x509", ...ec, "-days", "2", "-subj", "/CN=rndimg test CA", "-keyout", "ca.key", "-out", "ca.crt");
  openssl("req", ...ec, "-subj", `/CN=${LAN_NAME}`, "-keyout", "server.key", "-out", "server.csr");
  writeFileSync(join(dir, "server.ext"), `subjectAltName=DNS:${LAN_NAME},IP:127.0.0.1\nextendedKeyUsage=serverAuth\n`);
  openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
    "-days", "2", "-extfile", "server.ext", "-out", "server.crt");
  const certificate = new X509Certificate(readFileSync(join(dir, "server.crt")));
  const spki = certificate.publicKey.export({ type: "spki", format: "der" });
  return {
    dir,
    certificate: join(dir, "server.crt"),
    key: join(dir, "server.key"),
    ca: readFileSync(join(dir, "ca.crt")),
    spkiHash: createHash("sha256").update(spki).digest("base64"),
  };
}

before(async () => {
  folder = makeImageFolder();
  certificates = makeCertificates();
  browser = await launchBrowser([
    `--host-resolver-rules=MAP ${LAN_NAME} 127.0.0.1`,
    `--ignore-certificate-errors-spki-list=${certificates.spkiHash}`,
  ]);
});

after(async () => {
  await browser?.close();
  removeFolder(folder);
  if (certificates) removeFolder(certificates.dir);
});

async function withServer(tls, run) {
  const args = [`--allow-host=${LAN_NAME}`];
  if (tls) args.push(`--tls-certificate=${certificates.certificate}`, `--tls-key=${certificates.key}`);
  const server = await startServer({ images: folder, args, ca: tls ? certificates.ca : null });
  try {
    await run(server);
  } finally {
    await server.stop();
  }
}

async function waitForStats(server, predicate, what, timeout = 8000) {
  const deadline = Date.now() + timeout;
  let stats;
  while (Date.now() < deadline) {
    stats = await serverStats(server);
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
    event.id, { timeout: 15000 },
  ).catch(() => assert.fail(`tab ${index} never showed event #${event.id} (${event.name})`))));
}

// Opens the tabs one after the other, each with Live on, and waits until
// each has loaded and says it is connected.
async function openTabs(context, url) {
  const pages = [];
  for (let index = 0; index < TABS; index++) {
    const page = await context.newPage();
    page.on("pageerror", (error) => { throw error; });
    await page.goto(url, { timeout: 10000 });
    await page.waitForSelector("html[data-ready='true']", { timeout: 10000 });
    pages.push(page);
  }
  await Promise.all(pages.map((page) => page.waitForFunction(
    () => document.getElementById("status").dataset.state === "connected", null, { timeout: 10000 })));
  return pages;
}

async function secureContext(page) {
  return page.evaluate(() => ({ secure: isSecureContext, locks: "locks" in navigator }));
}

const pageUrl = (server, scheme) => `${scheme}://${LAN_NAME}:${server.port}/?live&transport=sse`;

test("plain HTTP on a LAN name: eight tabs load, hold one stream, and each shows what is published", async () => {
  await withServer(false, async (server) => {
    const context = await browser.newContext({ viewport: { width: 700, height: 800 } });
    const pages = await openTabs(context, pageUrl(server, "http"));
    assert.deepEqual(await secureContext(pages[0]), { secure: false, locks: false },
      "the page on a LAN name over HTTP is no secure context");
    assert.deepEqual(new Set(await roles(pages)), new Set(["shared"]), "the shared worker serves every tab");
    await waitForStats(server, (stats) => stats.open_streams === 1, "eight tabs should hold exactly one stream");
    for (const name of ["01.png", "02.png"]) await waitForEventEverywhere(pages, await publish(server, name));

    // Any tab may go, the first one opened included: the rest go on.
    await pages[0].close();
    await waitForEventEverywhere(pages.slice(1), await publish(server, "03.png"));
    await waitForStats(server, (stats) => stats.open_streams === 1, "still one stream");
    await context.close();
    await waitForStats(server, (stats) => stats.open_streams === 0, "closing every tab should close the stream");
  });
});

// Where there is no SharedWorker (and, on plain HTTP, no Web Locks) the
// tabs elect a leader over their BroadcastChannel.
test("plain HTTP without SharedWorker: one elected leader; closed or crashed, another takes over, nothing missed", async () => {
  await withServer(false, async (server) => {
    const context = await browser.newContext({ viewport: { width: 700, height: 800 } });
    await context.addInitScript(() => { delete globalThis.SharedWorker; });
    let pages = await openTabs(context, pageUrl(server, "http"));
    const first = await roles(pages);
    assert.equal(first.filter((role) => role === "leader").length, 1, `one leader: ${first}`);
    assert.equal(first.filter((role) => role === "follower").length, TABS - 1);
    await waitForStats(server, (stats) => stats.open_streams === 1, "eight tabs should hold exactly one stream");
    await waitForEventEverywhere(pages, await publish(server, "01.png"));

    // The leader closes; what is published at once still reaches everyone.
    const closed = pages[first.indexOf("leader")];
    await closed.close();
    pages = pages.filter((page) => page !== closed);
    const duringClose = await publish(server, "02.png");
    await waitForEventEverywhere(pages, duringClose);
    await waitForEventEverywhere(pages, await publish(server, "03.png"));

    // The new leader crashes: no goodbye, its heartbeats just stop.
    const second = await roles(pages);
    assert.equal(second.filter((role) => role === "leader").length, 1, `a new leader: ${second}`);
    const crashed = pages[second.indexOf("leader")];
    const session = await context.newCDPSession(crashed);
    session.send("Page.crash").catch(() => {});   // never answered: the page is gone
    await crashed.waitForEvent("crash", { timeout: 5000 });
    pages = pages.filter((page) => page !== crashed);
    const duringCrash = await publish(server, "04.png");
    await waitForEventEverywhere(pages, duringCrash);
    await waitForEventEverywhere(pages, await publish(server, "05.png"));
    const third = await roles(pages);
    assert.equal(third.filter((role) => role === "leader").length, 1, `a leader after the crash: ${third}`);
    await waitForStats(server, (stats) => stats.open_streams === 1, "after the takeovers, one stream");
    await context.close();
  });
});

test("HTTPS on a LAN name with the test's certificate: eight tabs, one stream, every picture", async () => {
  await withServer(true, async (server) => {
    assert.match(server.url, /^https:\/\//);
    const context = await browser.newContext({ viewport: { width: 900, height: 800 } });
    const pages = await openTabs(context, pageUrl(server, "https"));
    assert.deepEqual(await secureContext(pages[0]), { secure: true, locks: true }, "HTTPS makes a secure context");
    await waitForStats(server, (stats) => stats.open_streams === 1, "eight tabs should hold exactly one stream");
    const event = await publish(server, "04.png");
    assert.match(event.message, /^https:\/\/127\.0\.0\.1:/);
    await waitForEventEverywhere(pages, event);
    const shown = await pages[3].evaluate(() => document.querySelector("#history .thumb img")?.src ?? "");
    assert.match(shown, /^https:\/\//, "pictures come over HTTPS");
    await screenshot(pages[3], "https");
    await context.close();
  });
});
