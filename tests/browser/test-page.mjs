// SPDX-License-Identifier: MIT
// The web page in a real Chromium (Debian's), against a real rndimg-server:
// every state is checked with axe-core and saved as a screenshot.
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { crc32 } from "./png-writer.mjs";
import { join } from "node:path";
import { assertAccessible, launchBrowser, replacePage, screenshot } from "./browser.mjs";
import { makeImageFolder, publish, removeFolder, startServer } from "./server.mjs";

const MAX_UPLOAD = 150000;
const WEB = process.env.RNDIMG_WEB ?? new URL("../../web", import.meta.url).pathname;
const IMAGES = process.env.RNDIMG_IMAGES;

let browser;
let server;
let folder;
let page;

before(async () => {
  folder = makeImageFolder();
  server = await startServer({ images: folder, args: [`--max-upload=${MAX_UPLOAD}`] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  removeFolder(folder);
});

async function newPage(options = {}) {
  page = await replacePage(browser, page, { viewport: { width: 800, height: 900 }, ...options });
  return page;
}

beforeEach(() => newPage());

async function open(path = "/") {
  await page.goto(`${server.url}${path}`);
  await page.waitForSelector("html[data-ready='true']");
  // A marker that only survives if the page is never reloaded.
  await page.evaluate(() => { window.__loadMarker = "still-here"; });
}

async function assertNotReloaded() {
  assert.equal(await page.evaluate(() => window.__loadMarker), "still-here", "the page was reloaded");
}

async function shownSrc() {
  return page.evaluate(() => document.getElementById("picture").getAttribute("src"));
}

async function waitForPicture(name, timeout = 5000) {
  await page.waitForFunction((expected) => {
    const image = document.getElementById("picture");
    return !image.hidden && image.src.endsWith(`/static/img/${expected}`) && image.complete && image.naturalWidth > 0;
  }, name, { timeout });
}

async function waitForAnyPicture(timeout = 5000) {
  await page.waitForFunction(() => {
    const image = document.getElementById("picture");
    return !image.hidden && image.complete && image.naturalWidth > 0 && !document.getElementById("stage").dataset.loading;
  }, null, { timeout });
}

async function waitForState(states, timeout = 5000) {
  await page.waitForFunction((wanted) => wanted.includes(document.getElementById("status").dataset.state),
    states, { timeout });
}

async function bannerError() {
  return page.evaluate(() => {
    const banner = document.getElementById("banner");
    return banner.hidden ? null : banner.dataset.error;
  });
}

async function waitForBanner(key, timeout = 5000) {
  await page.waitForFunction((wanted) => {
    const banner = document.getElementById("banner");
    return !banner.hidden && banner.dataset.error === wanted;
  }, key, { timeout });
}

async function turnLiveOn(transport) {
  await open(`/?transport=${transport}`);
  await page.click(".switch");
  await waitForState(["connected"]);
  assert.equal(await page.getAttribute("#status", "data-transport"), transport);
  assert.equal(await page.getAttribute("#live-label", "data-connection"), "connected");
}

test("first load: a placeholder, no broken image, no axe violations", async () => {
  await open();
  assert.equal(await page.isVisible("#picture"), false, "the empty <img> is hidden");
  assert.equal(await page.isVisible(".placeholder"), true, "the placeholder shows");
  assert.equal(await page.innerText(".placeholder"), "No picture yet");
  assert.equal(await page.isVisible("#actions"), false, "no Download/Open without a picture");
  assert.equal(await bannerError(), null);
  assert.equal(await page.textContent("#status"), "", "nothing to say, nothing said (no \"Ready.\")");
  await assertAccessible(page, "empty, light");
  await screenshot(page, "empty");
});

test("Get shows a random picture without a reload; Download and Open point at it", async () => {
  await open();
  await page.click("#get");
  await waitForAnyPicture();
  const first = await shownSrc();
  assert.equal(await page.evaluate(() => document.getElementById("picture").naturalWidth), 400);
  assert.equal(await page.isVisible(".placeholder"), false);
  assert.equal(await page.getAttribute("#get", "aria-busy"), "false");
  assert.equal(await page.getAttribute("#download", "href"), first);
  assert.equal(await page.getAttribute("#download", "download"), first.split("/").pop());
  assert.equal(await page.getAttribute("#open", "href"), first);

  // Again, with the keyboard: a different picture (exclude= the current one).
  await page.keyboard.press("g");
  await page.waitForFunction((old) => document.getElementById("picture").getAttribute("src") !== old, first, { timeout: 5000 });
  // Settled (the picture is a variant, rendered first): Get no longer busy.
  await page.waitForFunction(() => document.getElementById("get").getAttribute("aria-busy") !== "true", null, { timeout: 5000 });
  await assertNotReloaded();
  await assertAccessible(page, "picture, light");
  await screenshot(page, "get");
});

test("history: three pictures, click the first, it shows; arrow keys move along", async () => {
  await open();
  const seen = [];
  for (let count = 1; count <= 3; count++) {
    await page.click("#get");
    // The newest thumbnail is the current one at once (it belongs to the
    // picture on its way), then the picture is in.
    await page.waitForFunction((n) => document.querySelectorAll("#history .thumb").length === n &&
      document.querySelector("#history .thumb").getAttribute("aria-current") === "true", count, { timeout: 5000 });
    await waitForAnyPicture();
    seen.push(await shownSrc());
  }
  const thumbs = page.locator("#history .thumb");
  assert.equal(await thumbs.count(), 3);
  // Newest first: the first picture is the last thumbnail.
  await thumbs.nth(2).click();
  await page.waitForFunction((src) => document.getElementById("picture").getAttribute("src") === src, seen[0]);
  assert.equal(await thumbs.nth(2).getAttribute("aria-current"), "true");
  assert.equal(await thumbs.nth(0).getAttribute("aria-current"), "false");

  await page.keyboard.press("ArrowLeft");   // towards newer pictures, left to right
  await page.waitForFunction((src) => document.getElementById("picture").getAttribute("src") === src, seen[1]);
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute("aria-current")), "true",
    "focus follows the current thumbnail");
  await page.keyboard.press("Home");
  await page.waitForFunction((src) => document.getElementById("picture").getAttribute("src") === src, seen[2]);
  await assertNotReloaded();
  await assertAccessible(page, "history");
  await screenshot(page, "history");
});

test("single-key shortcuts can be turned off, and that is remembered", async () => {
  await open();
  await page.uncheck("#shortcuts");   // focus stays on the checkbox: shortcuts still apply there
  await page.keyboard.press("g");
  await page.keyboard.press("l");
  await page.waitForTimeout(500);
  assert.equal(await shownSrc(), null, "G did nothing");
  assert.equal(await page.isChecked("#live"), false, "L did nothing");
  assert.equal(await page.getAttribute("#get", "aria-keyshortcuts"), null, "no shortcut announced while off");
  await page.reload();
  await page.waitForSelector("html[data-ready='true']");
  assert.equal(await page.isChecked("#shortcuts"), false, "the choice survives a reload");
  await page.keyboard.press("g");
  await page.waitForTimeout(500);
  assert.equal(await shownSrc(), null, "G still does nothing after the reload");
  await page.check("#shortcuts");
  assert.equal(await page.getAttribute("#get", "aria-keyshortcuts"), "g");
  await page.keyboard.press("g");
  await waitForAnyPicture();
  await page.click("h1");   // and with focus on nothing in particular
  const first = await shownSrc();
  await page.keyboard.press("g");
  await page.waitForFunction((old) => document.getElementById("picture").getAttribute("src") !== old, first);
});

for (const [transport, name] of [["sse", "03.png"], ["longpoll", "05.png"]]) {
  test(`Live over ${transport} shows a published picture within 2 s`, async () => {
    await turnLiveOn(transport);
    const event = await publish(server, name);
    await waitForPicture(name);
    assert.equal(await page.getAttribute("#status", "data-last-id"), String(event.id));
    assert.match(await page.textContent("#caption-details"), new RegExp(`#${event.id} · published`));
    await assertNotReloaded();
    await screenshot(page, `live-${transport}`);
  });
}

test("the status region announces state changes, not every picture", async () => {
  await turnLiveOn("sse");
  await page.evaluate(() => {
    window.__announcements = 0;
    new MutationObserver(() => window.__announcements++)
      .observe(document.getElementById("status"), { childList: true, characterData: true, subtree: true });
  });
  for (const name of ["01.png", "02.png", "04.png"]) {
    await publish(server, name);
    await waitForPicture(name);
  }
  assert.equal(await page.evaluate(() => window.__announcements), 0, "three pictures, no announcement");
  await page.click(".switch");
  await waitForState(["idle"]);
  assert.ok(await page.evaluate(() => window.__announcements) > 0, "turning Live off is announced");
});

for (const transport of ["sse", "longpoll"]) {
  test(`Live (${transport}): server down gives a banner with Retry; ${transport === "sse" ? "Retry" : "waking the tab"} brings it back at once, missing nothing`, async () => {
    await turnLiveOn(transport);
    // Two events, so the page holds an id above 1: the restarted server
    // counts from 1 again, and a page holding id 1 could not tell its new
    // event 1 from the old one (the server has no restart marker).
    await publish(server, "01.png");
    await publish(server, "02.png");
    await waitForPicture("02.png");

    const port = server.port;
    await server.stop();
    await waitForState(["reconnecting", "offline"], 10000);
    assert.equal(await page.getAttribute("#live-label", "data-connection"), "waiting",
      "the switch shows on but not connected");
    assert.equal(await page.textContent("#live-state"), "not connected");
    await waitForBanner("error.unreachable", 20000);
    assert.equal(await page.isVisible("#retry"), true, "the banner offers Retry");
    await assertAccessible(page, `error (${transport})`);
    await screenshot(page, `server-down-${transport}`);

    server = await startServer({ port, images: folder, args: [`--max-upload=${MAX_UPLOAD}`] });
    // Published before the page is back: it must still arrive.
    await publish(server, "07.png");
    if (transport === "sse") {
      // No waiting for the backoff; unless the backoff already ended while
      // the server restarted (slow on a loaded machine): the banner is gone.
      await page.click("#retry", { timeout: 5000 }).catch(async (error) => {
        if (!(await page.isHidden("#banner"))) throw error;
      });
    } else {
      // The tab comes back to sight (a phone woken up): it reconnects at once.
      await page.evaluate(() => {
        for (const hidden of [true, false]) {
          Object.defineProperty(document, "hidden", { configurable: true, get: () => hidden });
          document.dispatchEvent(new Event("visibilitychange"));
        }
      });
    }
    await waitForPicture("07.png", 5000);
    await waitForState(["connected"], 5000);
    assert.equal(await bannerError(), null, "the banner goes once connected");
    assert.equal(await page.textContent("#live-state"), "", "no \"not connected\" once connected");
    await assertNotReloaded();
    await screenshot(page, `reconnected-${transport}`);
  });
}

test("Get while the server is down: a readable banner, and Retry gets the picture", async () => {
  await open();
  const port = server.port;
  await server.stop();
  await page.click("#get");
  await waitForBanner("error.get");
  assert.match(await page.textContent("#banner-text"), /the server cannot be reached/);
  await screenshot(page, "error-get");
  server = await startServer({ port, images: folder, args: [`--max-upload=${MAX_UPLOAD}`] });
  await page.click("#retry");
  await waitForAnyPicture();
  assert.equal(await bannerError(), null);
});

test("the browser going offline is said so; back online, Live resumes and misses nothing", async () => {
  await turnLiveOn("sse");
  await page.context().setOffline(true);
  await waitForState(["browser-offline"]);
  await waitForBanner("error.browserOffline");
  assert.equal(await page.getAttribute("#live-label", "data-connection"), "waiting");
  assert.match(await page.textContent("#status"), /offline/);
  await screenshot(page, "browser-offline");
  const missed = await publish(server, "06.png");
  await page.context().setOffline(false);
  await waitForPicture("06.png", 5000);
  await waitForState(["connected"]);
  assert.equal(await page.getAttribute("#status", "data-last-id"), String(missed.id));
  assert.equal(await bannerError(), null);
});

test("the title counts new pictures while the tab is hidden", async () => {
  await turnLiveOn("sse");
  const setHidden = (hidden) => page.evaluate((value) => {
    Object.defineProperty(document, "hidden", { configurable: true, get: () => value });
    document.dispatchEvent(new Event("visibilitychange"));
  }, hidden);
  await setHidden(true);
  await publish(server, "01.png");
  await waitForPicture("01.png");
  await publish(server, "03.png");
  await waitForPicture("03.png");
  assert.match(await page.title(), /^\(2 new\) rndimg/);
  await setHidden(false);
  assert.match(await page.title(), /^rndimg/);
});

function uploadFile(name) {
  return join(IMAGES, name);
}

test("upload by the form: the picture shows at once, Live off", async () => {
  await open();
  assert.equal(await page.isVisible("#upload"), true, "the server takes writes on loopback");
  await page.setInputFiles("#upload-file", uploadFile("011.png"));
  await page.waitForFunction(() => /\/upload-[^/]+\.png$/.test(document.getElementById("picture").src) &&
    document.getElementById("picture").naturalWidth > 0, null, { timeout: 5000 });
  assert.equal(await page.isChecked("#live"), false);
  assert.match(await page.textContent("#caption"), /uploaded/);
  assert.equal(await page.locator("#history .thumb").count(), 1);
  await assertAccessible(page, "uploaded");
  await screenshot(page, "upload-form");
});

test("upload by dropping a file on the page, and by pasting one", async () => {
  await open();
  const bytes = [...readFileSync(uploadFile("012.png"))];
  const sendAs = (kind) => page.evaluate(([data, how]) => {
    const file = new File([new Uint8Array(data)], "dropped.png", { type: "image/png" });
    const transfer = new DataTransfer();
    transfer.items.add(file);
    if (how === "drop") {
      document.body.dispatchEvent(new DragEvent("dragover", { dataTransfer: transfer, bubbles: true, cancelable: true }));
      document.body.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
    } else {
      document.body.dispatchEvent(new ClipboardEvent("paste", { clipboardData: transfer, bubbles: true, cancelable: true }));
    }
  }, [bytes, kind]);
  for (const [kind, count] of [["drop", 1], ["paste", 2]]) {
    await sendAs(kind);
    await page.waitForFunction((n) => document.querySelectorAll("#history .thumb").length === n &&
      /\/upload-[^/]+\.png$/.test(document.getElementById("picture").src), count, { timeout: 5000 });
    assert.equal(await page.isVisible("#drop-overlay"), false, `${kind}: the drop overlay is gone`);
  }
});

test("uploads the server would refuse are refused before a byte is sent: not a picture, too large", async () => {
  await open();
  const posts = [];
  page.on("request", (request) => { if (request.method() === "POST") posts.push(request.url()); });
  await page.setInputFiles("#upload-file", { name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("just words\n") });
  await waitForBanner("error.upload.415");
  assert.equal(await page.textContent("#banner-text"), "That file is not a PNG, JPEG, GIF or WebP picture.");
  assert.equal(await page.isVisible("#retry"), false, "no Retry where retrying cannot help");
  await screenshot(page, "upload-415");

  // A PNG's signature, then more bytes than the server's --max-upload.
  const large = Buffer.alloc(MAX_UPLOAD * 2);
  readFileSync(uploadFile("01.png")).copy(large);
  await page.setInputFiles("#upload-file", { name: "large.png", mimeType: "image/png", buffer: large });
  await waitForBanner("error.upload.tooLarge");
  assert.equal(await page.textContent("#banner-text"),
    "\u2068large.png\u2069 is 300 kB; this server takes pictures up to 150 kB.");
  assert.deepEqual(posts, [], "nothing was sent");
  assert.equal(await page.isVisible("#upload-card"), false, "no upload in progress");
  assert.equal(await shownSrc(), null, "nothing shown for a refused upload");

  // What the page cannot judge still goes, and the server's own refusal
  // is said: a small PNG whose header declares 30000x30000 pixels.
  await page.setInputFiles("#upload-file", { name: "bomb.png", mimeType: "image/png", buffer: pixelBomb() });
  await waitForBanner("error.upload.413");
  assert.equal(posts.length, 1, "sent once");
  assert.equal(await shownSrc(), null, "the stage is back to what it showed");
});

// 01.png with its IHDR (and that chunk's CRC) saying 30000x30000.
function pixelBomb() {
  const png = Buffer.from(readFileSync(uploadFile("01.png")));
  png.writeUInt32BE(30000, 16);
  png.writeUInt32BE(30000, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return png;
}

test("a server with a token: an upload from the page gets a readable 401", async () => {
  const token = join(folder, "..", `rndimg-token-${process.pid}`);
  writeFileSync(token, "secret\n");
  const guarded = await startServer({ images: folder, args: [`--token-file=${token}`] });
  try {
    await page.goto(`${guarded.url}/`);
    await page.waitForSelector("html[data-ready='true']");
    await page.setInputFiles("#upload-file", uploadFile("01.png"));
    await waitForBanner("error.upload.401");
    assert.equal(await page.textContent("#banner-text"), "This server wants a token for uploads, and this page has none.");
  } finally {
    await guarded.stop();
    rmSync(token, { force: true });
  }
});

test("dark, phone width: controls reachable, no axe violations", async () => {
  await newPage({ viewport: { width: 360, height: 740 }, colorScheme: "dark" });
  await open();
  await assertAccessible(page, "dark phone, empty");
  await page.click("#get");
  await waitForAnyPicture();
  const box = await page.locator("#picture").boundingBox();
  assert.ok(box.width <= 360 && box.width > 250, `picture is ${box.width}px wide`);
  assert.ok(await page.locator("#live").isEnabled());
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
  await assertAccessible(page, "dark phone, picture");
  await screenshot(page, "phone-dark");
});

test("dark desktop, live: no axe violations", async () => {
  await newPage({ colorScheme: "dark", viewport: { width: 1100, height: 900 } });
  await turnLiveOn("sse");
  await publish(server, "08.png");
  await waitForPicture("08.png");
  await assertAccessible(page, "dark desktop live");
  await screenshot(page, "dark");
});

test("the tutorial's page: click, picture shown, no axe violations", async () => {
  await page.goto(`${server.url}/seed.html`);
  await page.click("#get-image");
  await page.waitForFunction(() => {
    const image = document.getElementById("image");
    return !image.hidden && image.src.includes("/static/img/") && image.complete && image.naturalWidth > 0;
  }, null, { timeout: 5000 });
  await assertAccessible(page, "seed");
  await screenshot(page, "seed");
});

// ---- Persian ----

const catalogue = (code) => JSON.parse(readFileSync(join(WEB, "i18n", `${code}.json`), "utf8"));
// Names that stay Latin in Persian text, as Persian writers keep them.
// So do key caps in tooltips: "(G)".
const KEPT_LATIN = /\b(PNG|JPEG|GIF|WebP|JSON|HTTP|API|OpenAPI|JWT)\b|[\w-]+\.(png|jpe?g|gif|webp)\b|\([A-Z]\)|\(Esc\)/g;

// Every visible piece of text, with what is marked translate="no" (the
// name rndimg, key caps) or in another language (the language names in
// the switcher) left out.
async function visibleText() {
  return page.evaluate(() => {
    const pieces = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      const element = node.parentElement;
      if (!node.textContent.trim() || element.closest("[translate='no'], script, style")) continue;
      const owner = element.closest("[lang]");
      if (owner && owner !== document.documentElement) continue;
      if (!element.checkVisibility()) continue;
      pieces.push(node.textContent.trim());
    }
    return pieces;
  });
}

test("the Persian catalogue has every key of the English one, each translated", () => {
  const english = catalogue("en");
  const persian = catalogue("fa");
  assert.deepEqual(Object.keys(persian).sort(), Object.keys(english).sort());
  for (const [key, text] of Object.entries(persian)) {
    const words = text.replace(KEPT_LATIN, "").replace(/\{\w+\}/g, "").replace(/rndimg/, "");
    assert.doesNotMatch(words, /[A-Za-z]/, `fa.json "${key}" still has Latin letters: ${text}`);
    assert.deepEqual(text.match(/\{\w+\}/g)?.sort(), english[key].match(/\{\w+\}/g)?.sort(),
      `fa.json "${key}" has other placeholders than en.json`);
  }
});

test("Persian browser: dir=rtl, Persian text, no English left, layout mirrored, no axe violations", async () => {
  await newPage({ locale: "fa-IR", viewport: { width: 1000, height: 900 } });
  await open();
  assert.equal(await page.getAttribute("html", "lang"), "fa");
  assert.equal(await page.getAttribute("html", "dir"), "rtl");
  const persian = catalogue("fa");
  assert.equal(await page.textContent(".label"), persian.get);
  assert.equal(await page.textContent("#status"), "");

  await page.click("#get");
  await waitForAnyPicture();
  await page.click(".switch");
  await waitForState(["connected"]);
  await publish(server, "04.png");
  await waitForPicture("04.png");
  assert.equal(await page.textContent("#status"), persian["status.connected"]);
  assert.match(await page.textContent("#caption-details"), /[۰-۹]/, "numbers in Persian digits");

  const english = new Set(Object.values(catalogue("en")));
  for (const text of await visibleText()) {
    assert.ok(!english.has(text), `English text left visible: "${text}"`);
    assert.doesNotMatch(text.replace(KEPT_LATIN, ""), /[A-Za-z]/, `Latin letters left visible: "${text}"`);
  }
  // The strip runs right to left, newest on the right: ArrowLeft goes older.
  const thumbs = page.locator("#history .thumb");
  assert.ok((await thumbs.nth(0).boundingBox()).x > (await thumbs.nth(1).boundingBox()).x, "newest on the right");
  await thumbs.nth(0).focus();
  await page.keyboard.press("ArrowLeft");
  assert.equal(await thumbs.nth(1).getAttribute("aria-current"), "true", "ArrowLeft moved to the older picture");
  // Mirrored: the title on the right, the controls on the left.
  const title = await page.locator("h1").boundingBox();
  const get = await page.locator("#get").boundingBox();
  assert.ok(title.x > get.x, "the title sits to the right of the buttons");
  await assertAccessible(page, "Persian, right to left");
  await screenshot(page, "fa");
  await page.setViewportSize({ width: 360, height: 740 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
  assert.ok(overflow <= 0, `the Persian page scrolls sideways by ${overflow}px on a phone`);
  await assertAccessible(page, "Persian, phone");
  await screenshot(page, "fa-phone");
  await page.setViewportSize({ width: 1000, height: 900 });

  await page.context().setOffline(true);
  await waitForBanner("error.browserOffline");
  assert.equal(await page.textContent("#banner-text"), persian["error.browserOffline"]);
  await assertAccessible(page, "Persian, offline error");
  await screenshot(page, "fa-offline");
  await page.context().setOffline(false);
});

test("the language switcher changes the page at once and is remembered", async () => {
  await open();
  assert.equal(await page.getAttribute("html", "dir"), "ltr");
  await page.selectOption("#language", "fa");
  await page.waitForFunction(() => document.documentElement.dir === "rtl");
  assert.equal(await page.textContent(".label"), catalogue("fa").get);
  await page.reload();
  await page.waitForSelector("html[data-ready='true']");
  assert.equal(await page.getAttribute("html", "lang"), "fa", "remembered across a reload");
  assert.equal(await page.inputValue("#language"), "fa");
  await page.selectOption("#language", "en");
  await page.waitForFunction(() => document.documentElement.dir === "ltr");
  assert.equal(await page.textContent(".label"), "Get");
});
