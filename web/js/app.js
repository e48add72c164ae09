// SPDX-License-Identifier: MIT
// The page: a Get button for one picture, a Live switch that follows new
// ones, a status line, and (where the server takes writes) an upload form.
import { randomPicture, stats, uploadPicture } from "./api.js";
import { LiveFollower } from "./live.js";
import { PictureView } from "./picture.js";
import { StatusLine } from "./status.js";

const $ = (id) => document.getElementById(id);
const picture = new PictureView($("stage"), $("picture"), $("caption"));
const status = new StatusLine($("status"));
const getButton = $("get");
const liveSwitch = $("live");
const transport = new URLSearchParams(location.search).get("transport") ?? "auto";

function describe(event) {
  const when = new Date(event.published_at).toLocaleTimeString();
  return `#${event.id} · ${event.name} · ${event.source} · ${when}`;
}

const follower = new LiveFollower({
  transport,
  onEvent: async (event) => {
    status.noteEvent(event);
    try {
      await picture.show(event.message, describe(event));
    } catch (error) {
      status.set("error", error.message);
      return;
    }
    status.set(status.element.dataset.state, "Live: following new pictures.");
  },
  onState: (state, text, via) => status.set(state, text, via),
});

async function getOne() {
  if (getButton.getAttribute("aria-busy") === "true") return;   // no piling up
  getButton.setAttribute("aria-busy", "true");
  try {
    const answer = await randomPicture(picture.currentName);
    await picture.show(answer.message, `A random picture: ${decodeURIComponent(answer.message.split("/").pop())}`);
    if (!liveSwitch.checked) status.set("idle", "Got a random picture.", "none");
  } catch (error) {
    status.set("error", error.message, liveSwitch.checked ? undefined : "none");
  } finally {
    getButton.setAttribute("aria-busy", "false");
  }
}

function setLive(on) {
  liveSwitch.checked = on;
  if (on) {
    follower.start();
  } else {
    follower.stop();
    status.set("idle", "Live is off.", "none");
  }
}

async function offerUpload() {
  try {
    const answer = await stats();
    $("upload").hidden = !answer.writes_enabled;
  } catch {
    // No stats, no upload form: the rest of the page still works.
  }
}

$("upload").addEventListener("submit", async (event) => {
  event.preventDefault();
  const file = $("upload-file").files[0];
  if (!file) return;
  try {
    const answer = await uploadPicture(file);
    status.set(status.element.dataset.state, `Published ${answer.name} as #${answer.id}.`);
  } catch (error) {
    status.set("error", error.message);
  }
});

getButton.addEventListener("click", getOne);
liveSwitch.addEventListener("change", () => setLive(liveSwitch.checked));
document.addEventListener("keydown", (event) => {
  if (event.target.closest("input, textarea, select") || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === "g") getOne();
  if (event.key === "l") setLive(!liveSwitch.checked);
});

if (new URLSearchParams(location.search).has("live")) setLive(true);
offerUpload();
