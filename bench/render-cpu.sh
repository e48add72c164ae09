#!/bin/sh
# SPDX-License-Identifier: MIT
# CPU time of one cold variant render (a 2000x1333 JPEG and a 400x400 PNG
# to 200..299 square JPEG, quality 80), the mean of 100, three ways:
# rndimg (CPU of the server process over 100 sequential requests, HTTP
# included), Debian's vipsthumbnail (the same libvips, one thread, the same
# save options), nginx's image_filter (libgd; CPU of its one worker; it
# answers PNG for the PNG, as it keeps the input's format) and sharp
# (bench/sharp/, its own libvips). CPU time, not requests/s: it holds
# still on a machine shared with other work. By hand:
#   bench/render-cpu.sh [SERVER]
set -eu
cd "$(dirname "$0")/.."
SERVER=${1:-build-bench/server/rndimg-server}
WORK=$(mktemp -d)
SERVER_PID="" NGINX_PID=""
trap '[ -z "$SERVER_PID" ] || { kill "$SERVER_PID"; wait "$SERVER_PID" || true; }
      [ -z "$NGINX_PID" ] || { kill -QUIT "$NGINX_PID"; wait "$NGINX_PID" || true; }; rm -rf "$WORK"' EXIT
mkdir -p "$WORK/img" "$WORK/out" "$WORK/state"
cp data/img/01.png "$WORK/img/01.png"
vips resize data/img/01.png "$WORK/photo.v" 5
vips crop "$WORK/photo.v" "$WORK/img/photo.jpg[Q=90]" 0 0 2000 1333

"$SERVER" --port 0 --images "$WORK/img" --uploads "$WORK/state" --state-file "$WORK/state/h.json" \
    --interval 0 >"$WORK/url" 2>"$WORK/log" &
SERVER_PID=$!
for _ in $(seq 200); do [ -s "$WORK/url" ] && break; sleep 0.05; done
BASE=$(sed 's|/$||' "$WORK/url")
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# ms of CPU per render over 100 renders, from two tick counts
per_render() { awk -v t="$(getconf CLK_TCK)" -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) * 1000 / t / 100 }'; }
for picture in photo.jpg 01.png; do
    prefix=$(curl -s -o /dev/null -w '%{redirect_url}' "$BASE/img/$picture/1x1.jpg" | sed "s|^$BASE||; s|1x1.jpg$||")
    curl -s -o /dev/null "$BASE${prefix}199x199.jpg"
    before=$(ticks "$SERVER_PID")
    for side in $(seq 200 299); do curl -s -o /dev/null "$BASE${prefix}${side}x${side}.jpg"; done
    echo "rndimg $picture: $(per_render "$before" "$(ticks "$SERVER_PID")") ms CPU per render"
    inputs=$(for _ in $(seq 100); do printf '%s ' "$WORK/img/$picture"; done)
    for options in "Q=80,strip" "Q=80,strip,interlace,optimize_coding"; do
        # shellcheck disable=SC2086 # one word per input
        /usr/bin/time -f "vipsthumbnail $picture [$options]: %U s user + %S s system for 100" \
            vipsthumbnail --vips-concurrency=1 -s 250x250 -m centre -o "$WORK/out/%s.jpg[$options]" $inputs
    done
done
chmod 755 "$WORK"   # nginx's worker (nobody, when started as root) reads the pictures
NGINX_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sed -e "s|@DIR@|$WORK|g" -e "s|@PORT@|$NGINX_PORT|g" -e "s|@RNDIMG@|127.0.0.1:1|g" \
    -e 's|^worker_processes 2;|worker_processes 1;|' bench/image-filter.conf.in >"$WORK/nginx.conf"
[ "$(id -u)" -ne 0 ] || sed -i 's|^#user$|user root;|' "$WORK/nginx.conf"
nginx -c "$WORK/nginx.conf" -p "$WORK" -e "$WORK/nginx-error.log" &
NGINX_PID=$!
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$NGINX_PORT/file/01.png" && break; sleep 0.05; done
WORKER=$(pgrep -P "$NGINX_PID" -f "nginx: worker process")
for picture in photo.jpg 01.png; do
    curl -s -o /dev/null "http://127.0.0.1:$NGINX_PORT/if/199/199/$picture"
    before=$(ticks "$WORKER")
    for side in $(seq 200 299); do curl -s -o /dev/null "http://127.0.0.1:$NGINX_PORT/if/$side/$side/$picture"; done
    echo "image_filter $picture: $(per_render "$before" "$(ticks "$WORKER")") ms CPU per render"
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
