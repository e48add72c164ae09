// SPDX-License-Identifier: MIT
// Paints a BlurHash (the server's, see server/render/rndimg-blurhash.c)
// as a small picture, decoded from the published algorithm: the sum of a
// few cosine products in linear light. Used as the picture's placeholder
// while the picture itself loads.
const BASE83 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~";

function decode83(text) {
  let value = 0;
  for (const character of text) {
    const digit = BASE83.indexOf(character);
    if (digit < 0) throw new Error("not a BlurHash");
    value = value * 83 + digit;
  }
  return value;
}

const toLinear = (value) => {
  const v = value / 255;
  return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
};
const toSrgb = (value) => {
  const v = Math.max(0, Math.min(1, value));
  return Math.round(255 * (v <= 0.0031308 ? v * 12.92 : 1.055 * v ** (1 / 2.4) - 0.055));
};
const signPow = (value, exponent) => Math.sign(value) * Math.abs(value) ** exponent;

// The colours of the cosine products, [r, g, b] in linear light each.
function factors(hash) {
  const flag = decode83(hash[0]);
  const x = (flag % 9) + 1;
  const y = Math.floor(flag / 9) + 1;
  if (hash.length !== 4 + 2 * x * y) throw new Error("not a BlurHash");
  const maximum = (decode83(hash[1]) + 1) / 166;
  const dc = decode83(hash.slice(2, 6));
  const colours = [[toLinear(dc >> 16), toLinear((dc >> 8) & 255), toLinear(dc & 255)]];
  for (let i = 1; i < x * y; i++) {
    const value = decode83(hash.slice(4 + i * 2, 6 + i * 2));
    colours.push([Math.floor(value / 361), Math.floor(value / 19) % 19, value % 19]
      .map((q) => signPow((q - 9) / 9, 2) * maximum));
  }
  return { x, y, colours };
}

// RGBA pixels of @width x @height.
export function decodeBlurHash(hash, width, height) {
  const { x: nx, y: ny, colours } = factors(hash);
  const pixels = new Uint8ClampedArray(width * height * 4);
  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) {
      const sum = [0, 0, 0];
      for (let j = 0; j < ny; j++) {
        for (let i = 0; i < nx; i++) {
          const basis = Math.cos((Math.PI * px * i) / width) * Math.cos((Math.PI * py * j) / height);
          colours[j * nx + i].forEach((value, c) => { sum[c] += value * basis; });
        }
      }
      pixels.set([toSrgb(sum[0]), toSrgb(sum[1]), toSrgb(sum[2]), 255], (py * width + px) * 4);
    }
  }
  return pixels;
}

// A data: URL of the placeholder, in the picture's proportions; null when
// there is nothing to paint (no BlurHash, no canvas).
export function placeholderUrl({ blurhash, colour, width, height }) {
  const canvas = globalThis.document?.createElement("canvas");
  const context = canvas?.getContext("2d");
  if (!context || (!blurhash && !colour)) return null;
  const ratio = width && height ? width / height : 1;
  canvas.width = ratio >= 1 ? 32 : Math.max(1, Math.round(32 * ratio));
  canvas.height = ratio >= 1 ? Math.max(1, Math.round(32 / ratio)) : 32;
  try {
    if (!blurhash) throw new Error("no BlurHash");
    context.putImageData(new ImageData(decodeBlurHash(blurhash, canvas.width, canvas.height), canvas.width), 0, 0);
  } catch {
    context.fillStyle = colour ?? "transparent";
    context.fillRect(0, 0, canvas.width, canvas.height);
  }
  return canvas.toDataURL();
}
