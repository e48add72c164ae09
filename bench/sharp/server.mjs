// SPDX-License-Identifier: MIT
// What a JavaScript team would put up: sharp (libvips under Node) behind
// node:http. GET /s/WIDTH/HEIGHT/NAME answers NAME from IMAGES cropped to
// WIDTH x HEIGHT (cover, centre), as JPEG quality 80, metadata stripped;
// no cache. Prints its URL on the first line. sharp's defaults otherwise
// (libuv's 4 threads, libvips threads per core).
import { createServer } from "node:http";
import { join } from "node:path";
import sharp from "sharp";

const IMAGES = process.env.IMAGES;
sharp.cache(false);

const server = createServer(async (request, response) => {
  const match = /^\/s\/(\d+)\/(\d+)\/([\w.-]+)$/.exec(request.url);
  if (!match) {
    response.writeHead(404).end();
    return;
  }
  try {
    const body = await sharp(join(IMAGES, match[3]))
      .resize(Number(match[1]), Number(match[2]), { fit: "cover", position: "centre" })
      .jpeg({ quality: 80 })
      .toBuffer();
    response.writeHead(200, { "Content-Type": "image/jpeg", "Content-Length": body.length }).end(body);
  } catch (error) {
    response.writeHead(500, { "Content-Type": "text/plain" }).end(String(error));
  }
});
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  console.log(`http://127.0.0.1:${server.address().port}`);
});
