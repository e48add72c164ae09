// SPDX-License-Identifier: MIT
// Starts and stops a real rndimg-server for the browser tests.
import { spawn } from "node:child_process";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
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

// ca: the PEM the server's certificate is checked with (an https:// server).
// token: the server's one token (RNDIMG_TOKEN), which requestJson() then sends.
export async function startServer({ port = 0, images, args = [], ca = null, token = null }) {
  const child = spawn(process.env.RNDIMG_SERVER,
    [`--port=${port}`, `--images=${images}`, "--interval=0", `--state-file=${images}/history.json`, ...args],
    // RNDIMG_SERVER_PRELOAD: see tests/meson.build (LeakSanitizer and TLS).
    { stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, LD_PRELOAD: process.env.RNDIMG_SERVER_PRELOAD ?? "", ...(token ? { RNDIMG_TOKEN: token } : {}) } });
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise((resolve, reject) => {
    lines.once("line", (line) => resolve(line.replace(/\/$/, "")));
    child.once("exit", (code) => reject(new Error(`rndimg-server exited with ${code}`)));
  });
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  return {
    url,
    ca,
    token,
    port: Number(new URL(url).port),
    async stop() {
      child.kill("SIGTERM");
      const { code, signal } = await exited;
      if (code !== 0) throw new Error(`rndimg-server did not exit cleanly (code ${code}, signal ${signal})`);
    },
  };
}

// One request to the server, over HTTP or HTTPS (checked with server.ca):
// { status, json }. Node's fetch cannot be given a CA.
export function requestJson(server, path, { method = "GET", body = null } = {}) {
  const url = new URL(path, server.url);
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(url, {
      method,
      ca: server.ca ?? undefined,
      headers: {
        ...(body !== null ? { "Content-Type": "application/json" } : {}),
        ...(server.token ? { Authorization: `Bearer ${server.token}` } : {}),
      },
    }, (response) => {
      const chunks = [];
      response.on("data", (chunk) => chunks.push(chunk));
      response.on("end", () => {
        const text = Buffer.concat(chunks).toString();
        resolve({ status: response.statusCode, json: text ? JSON.parse(text) : null });
      });
    });
    request.on("error", reject);
    request.end(body !== null ? JSON.stringify(body) : undefined);
  });
}

export async function publish(server, name) {
  const { status, json } = await requestJson(server, `${API}/publish`,
    { method: "POST", body: name ? { name } : {} });
  if (status !== 201) throw new Error(`publish answered ${status}`);
  return json;
}

export async function serverStats(server) {
  return (await requestJson(server, `${API}/stats`)).json;
}
