// SPDX-License-Identifier: MIT
// An album of photographs for the page's tests and screenshots: a wide
// panorama, a tall portrait, a 3:2 landscape and a picture smaller than
// any box, drawn as scenes (sky, sun, hills) rather than flat shapes, with
// an info.json giving the album its title and each picture its alt text
// (English and Persian), author, licence and source, as a photographer's
// folder would.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writePng } from "./png-writer.mjs";

export const ALBUM_TITLE = { en: "Photographs", fa: "عکس‌ها" };

export const PHOTOS = [
  { file: "mountain-panorama.png", width: 4000, height: 1000, hue: 0,
    alt: "Blue hills under an orange evening sky, seen across a wide valley",
    fa: "تپه‌های آبی زیر آسمان نارنجی غروب، از آن سوی دره‌ای پهن",
    author: "Ada Lovelace", license: "CC-BY-4.0", source_url: "https://example.org/photos/mountain-panorama" },
  { file: "tall-tree.png", width: 1200, height: 1800, hue: 1,
    alt: "A dark hill under a pale morning sky with the sun low on the left",
    fa: "تپه‌ای تیره زیر آسمان روشن صبح، با خورشیدی پایین در سمت چپ",
    author: "Grace Hopper", license: "CC0-1.0", source_url: null },
  { file: "valley.png", width: 3000, height: 2000, hue: 2,
    alt: "Green hills in layers under a deep blue sky",
    fa: "تپه‌های سبز لایه‌لایه زیر آسمان آبی تیره",
    author: "Katherine Johnson", license: "CC-BY-SA-4.0", source_url: "https://example.org/photos/valley" },
  { file: "small.png", width: 200, height: 150, hue: 1,
    alt: null, fa: null, author: null, license: null, source_url: null },
];

const SKIES = [
  [[255, 140, 60], [255, 210, 150], [40, 70, 130]],
  [[200, 220, 240], [250, 240, 220], [50, 50, 70]],
  [[30, 60, 150], [120, 170, 230], [40, 110, 60]],
];

const mix = (a, b, f) => a.map((value, i) => Math.round(value + (b[i] - value) * f));

// A sky darkening upwards, a sun, and three ridges of hills.
function scene(width, height, hue) {
  const [top, horizon, land] = SKIES[hue];
  const sun = { x: width * (0.25 + 0.5 * (hue / 2)), y: height * 0.35, r: Math.min(width, height) * 0.08 };
  const ridge = (x, layer) => height * (0.55 + layer * 0.12 + 0.06 * Math.sin(x / width * (5 + layer * 3) + layer * 2));
  return (x, y) => {
    for (let layer = 2; layer >= 0; layer--) {
      if (y > ridge(x, layer)) return mix(land, [0, 0, 0], 0.15 + layer * 0.25);
    }
    if (Math.hypot(x - sun.x, y - sun.y) < sun.r) return [255, 245, 200];
    return mix(top, horizon, y / (height * 0.7));
  };
}

// Writes the album "photos" into @folder (an image folder).
export function makePhotoAlbum(folder) {
  const album = join(folder, "photos");
  mkdirSync(album, { recursive: true });
  const pictures = {};
  for (const photo of PHOTOS) {
    writePng(join(album, photo.file), photo.width, photo.height, scene(photo.width, photo.height, photo.hue));
    if (!photo.alt) continue;
    pictures[photo.file] = {
      alt: photo.alt, alt_by_language: { fa: photo.fa }, author: photo.author, license: photo.license,
      ...(photo.source_url ? { source_url: photo.source_url } : {}),
    };
  }
  writeFileSync(join(album, "info.json"), JSON.stringify({
    title: ALBUM_TITLE.en, title_by_language: { fa: ALBUM_TITLE.fa }, pictures,
  }, null, 2));
  return album;
}
