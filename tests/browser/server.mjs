// SPDX-License-Identifier: MIT
// Starts and stops a real rndimg-server for the browser tests.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// The API's prefix, read from the one place the C code spells it.
export const API = readFileSync(new URL("../../common/rndimg-api-prefix.h", import.meta.url), "utf8")
  .match(/RNDIMG_API_PREFIX "([^"]+)"/)[1];

export function makeImageFolder(count = 8) {
  const folder = mkdtempSync(join(tmpdir(), "rndimg-browser-"));
  const source = process.env.RNDIMG_IMAGES;
  for (let number = 1; number <= count; number++) {
    cpSync(join(source, `0${number}.png`), join(folder, `0${number}.png`));
  }
  return folder;
}

export function removeFolder(folder) {
  rmSync(folder, { recursive: true, force: true });
}

export async function startServer({ port = 0, images, args = [] }) {
  const child = spawn(process.env.RNDIMG_SERVER,
    [`--port=${port}`, `--images=${images}`, "--interval=0", `--state-file=${images}/history.json`, ...args],
    { stdio: ["ignore", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise((resolve, reject) => {
    lines.once("line", (line) => resolve(line.replace(/\/$/, "")));
    child.once("exit", (code) => reject(new Error(`rndimg-server exited with ${code}`)));
  });
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  return {
    url,
    port: Number(new URL(url).port),
    async stop() {
      child.kill("SIGTERM");
      const { code, signal } = await exited;
      if (code !== 0) throw new Error(`rndimg-server did not exit cleanly (code ${code}, signal ${signal})`);
    },
  };
}

export async function publish(server, name) {
  const response = await fetch(`${server.url}${API}/publish`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(name ? { name } : {}),
  });
  if (response.status !== 201) throw new Error(`publish answered ${response.status}`);
  return response.json();
}
