#!/bin/sh
# SPDX-License-Identifier: MIT
# CPU time of one cold variant render (a 2000x1333 JPEG and a 400x400 PNG
# to 200..299 square JPEG, quality 80), the mean of 100, three ways:
# rndimg (CPU of the server process over 100 sequential requests, HTTP
# included), Debian's vipsthumbnail (the same libvips, one thread, the same
# save options), and sharp (bench/sharp/, its own libvips). By hand:
#   bench/render-cpu.sh [SERVER]
set -eu
cd "$(dirname "$0")/.."
SERVER=${1:-build-bench/server/rndimg-server}
WORK=$(mktemp -d)
SERVER_PID=""
trap '[ -z "$SERVER_PID" ] || { kill "$SERVER_PID"; wait "$SERVER_PID" || true; }; rm -rf "$WORK"' EXIT
mkdir -p "$WORK/img" "$WORK/out" "$WORK/state"
cp data/img/01.png "$WORK/img/01.png"
vips resize data/img/01.png "$WORK/photo.v" 5
vips crop "$WORK/photo.v" "$WORK/img/photo.jpg[Q=90]" 0 0 2000 1333

"$SERVER" --port 0 --images "$WORK/img" --uploads "$WORK/state" --state-file "$WORK/state/h.json" \
    --interval 0 >"$WORK/url" 2>"$WORK/log" &
SERVER_PID=$!
for _ in $(seq 200); do [ -s "$WORK/url" ] && break; sleep 0.05; done
BASE=$(sed 's|/$||' "$WORK/url")
ticks() { awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat"; }
for picture in photo.jpg 01.png; do
    prefix=$(curl -s -o /dev/null -w '%{redirect_url}' "$BASE/img/$picture/1x1.jpg" | sed "s|^$BASE||; s|1x1.jpg$||")
    curl -s -o /dev/null "$BASE${prefix}199x199.jpg"
    before=$(ticks)
    for side in $(seq 200 299); do curl -s -o /dev/null "$BASE${prefix}${side}x${side}.jpg"; done
    echo "rndimg $picture: $(( ($(ticks) - before) * 1000 / $(getconf CLK_TCK) / 100 )) ms CPU per render"
    inputs=$(for _ in $(seq 100); do printf '%s ' "$WORK/img/$picture"; done)
    for options in "Q=80,strip" "Q=80,strip,interlace,optimize_coding"; do
        # shellcheck disable=SC2086 # one word per input
        /usr/bin/time -f "vipsthumbnail $picture [$options]: %U s user + %S s system for 100" \
            vipsthumbnail --vips-concurrency=1 -s 250x250 -m centre -o "$WORK/out/%s.jpg[$options]" $inputs
    done
done
[ -d bench/sharp/node_modules ] || (cd bench/sharp && npm ci --no-audit --no-fund --loglevel=error)
# shellcheck disable=SC2016 # JavaScript, not shell
IMAGES="$WORK/img" node --input-type=module -e '
import { createRequire } from "node:module";
const sharp = createRequire(process.cwd() + "/bench/sharp/")("sharp");
sharp.cache(false);
sharp.concurrency(1);
for (const picture of ["photo.jpg", "01.png"]) {
  const render = (side) => sharp(`${process.env.IMAGES}/${picture}`)
    .resize(side, side, { fit: "cover", position: "centre" }).jpeg({ quality: 80 }).toBuffer();
  await render(199);
  const start = process.cpuUsage();
  for (let side = 200; side < 300; side++) await render(side);
  const used = process.cpuUsage(start);
  console.log(`sharp ${picture} (libvips ${sharp.versions.vips}): ${((used.user + used.system) / 100000).toFixed(1)} ms CPU per render`);
}'
