#!/bin/sh
# SPDX-License-Identifier: MIT
# rndimg's picture variants side by side with nginx's image_filter (libgd,
# Debian's libnginx-mod-http-image-filter) and sharp (libvips under Node,
# bench/sharp/), on 127.0.0.1, by hand:
#   bench/compare-variants.sh [--rounds N] [--seconds S] [--server PATH]
# Workloads, each run on each server in turn (A B C A B C ...):
#   cold-png   a 400x400 PNG to about 200x200 (200 to 327 a side, a size
#              nobody asked for before each time) JPEG; nginx answers PNG
#              (image_filter keeps the input's format)
#   cold-jpeg  a 2000x1333 JPEG the same way
#   warm       rndimg: one cached variant against its /static/img/ file;
#              nginx: the variant through a proxy_cache against the file itself
#   isolation  p99 of a cached variant and of GET /polling/api/v1.0/rndimg
#              while 8 connections ask rndimg for cold JPEG variants
#   memory     5000 distinct variants through a server with a 16 MiB memory
#              and a 20 MiB disk budget: its RSS and the disk folder after
#   flood      200 clients at once, each asking for a variant nobody asked
#              for before of a 4000x3000 progressive JPEG (issue 27), on the
#              default render memory budget and --render-queue 32:
#              bench/render-flood.py's renders/s, RSS and anonymous RSS at
#              the start, at the peak and 10 s after
# Every server gets two cores' worth: rndimg --render-workers 2, nginx two
# workers, sharp its defaults; rndimg's render threads at the peers'
# priority. wrk: 2 threads, 8 connections.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh

SECONDS_EACH=10
BUILD=build-bench
script_option() {
    case $1 in
        --seconds) SECONDS_EACH=$2; SHIFT=2 ;;
    esac
}
parse_arguments script_option "$@"
build
[ -d bench/sharp/node_modules ] || (cd bench/sharp && npm ci --no-audit --no-fund --loglevel=error)

WORK=$(mktemp -d)
chmod 755 "$WORK"   # nginx's workers (nobody, when started as root) read the pictures
RESULTS="$BUILD/variants-results.tsv"
TABLE="$BUILD/variants-results.md"
: >"$RESULTS"
NGINX_PID="" SHARP_PID=""
cleanup() {
    stop_server
    [ -z "$NGINX_PID" ] || kill "$NGINX_PID" 2>/dev/null || true
    [ -z "$SHARP_PID" ] || kill "$SHARP_PID" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

mkdir -p "$WORK/img"
cp data/img/01.png "$WORK/img/01.png"
vips resize data/img/01.png "$WORK/photo.v" 5 >/dev/null
vips crop "$WORK/photo.v" "$WORK/img/photo.jpg[Q=90]" 0 0 2000 1333 >/dev/null
# The flood's picture: detail at every scale, progressive, full chroma.
for band in r g b; do vips gaussnoise "$WORK/$band.v" 1000 750 --sigma 40 >/dev/null; done
vips bandjoin "$WORK/r.v $WORK/g.v $WORK/b.v" "$WORK/noise.v" >/dev/null
vips resize "$WORK/noise.v" "$WORK/large.v" 4 >/dev/null
vips cast "$WORK/large.v" "$WORK/large8.v" uchar >/dev/null
mkdir -p "$WORK/flood"
vips jpegsave "$WORK/large8.v" "$WORK/flood/flood.jpg" --Q 90 --interlace --subsample-mode off >/dev/null
rm -f "$WORK"/*.v

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# rndimg's render threads run 10 nice levels below the server; started
# 10 levels up (when allowed), they run at the priority of nginx's workers
# and sharp's threads, which matters on a machine other work keeps busy.
RNDIMG_NICE=""
nice -n -10 true 2>/dev/null && RNDIMG_NICE="nice -n -10"

# rndimg with a fresh state folder each time: nothing cached from before;
# no per-client render share (--render-rate 0): wrk is one client, and the
# peers have no such limit (with it, most cold requests were 429s).
start_rndimg() {
    rm -rf "$WORK/state"
    mkdir -p "$WORK/state"
    $RNDIMG_NICE "$SERVER_BIN" --port 0 --images "$WORK/img" --uploads "$WORK/state" --state-file "$WORK/state/history.json" \
        --interval 0 --render-workers 2 --render-queue 64 --render-rate 0 "$@" >"$WORK/rndimg.url" 2>"$WORK/rndimg.log" &
    SERVER_PID=$!
    # The whole line, port and newline included: on a loaded machine the
    # file can be seen before the server has written all of it.
    for _ in $(seq 1200); do grep -qs '^http://[^/]*:[0-9][0-9]*/$' "$WORK/rndimg.url" && break; sleep 0.05; done
    grep -qs '^http://[^/]*:[0-9][0-9]*/$' "$WORK/rndimg.url" ||
        { echo "rndimg did not start:" >&2; tail -5 "$WORK/rndimg.log" >&2; exit 1; }
    RNDIMG=$(sed 's|/$||' "$WORK/rndimg.url")
}

# The canonical prefix of NAME's variants: /img/NAME/VERSION/
variant_prefix() {
    curl -s -o /dev/null -w '%{redirect_url}' "$RNDIMG/img/$1/1x1.jpg" | sed "s|^$RNDIMG||; s|1x1.jpg$||"
}

start_nginx() {
    NGINX_PORT=$(free_port)
    sed -e "s|@DIR@|$WORK|g" -e "s|@PORT@|$NGINX_PORT|g" -e "s|@RNDIMG@|${RNDIMG#http://}|g" \
        bench/image-filter.conf.in >"$WORK/nginx.conf"
    [ "$(id -u)" -ne 0 ] || sed -i 's|^#user$|user root;|' "$WORK/nginx.conf"
    nginx -c "$WORK/nginx.conf" -p "$WORK" -e "$WORK/nginx-error.log" &
    NGINX_PID=$!
    for _ in $(seq 1200); do curl -s -o /dev/null "http://127.0.0.1:$NGINX_PORT/file/01.png" && break; sleep 0.05; done
    curl -s -o /dev/null "http://127.0.0.1:$NGINX_PORT/file/01.png" ||
        { echo "nginx did not start:" >&2; tail -5 "$WORK/nginx-error.log" >&2; exit 1; }
    NGINX="http://127.0.0.1:$NGINX_PORT"
}

# nginx and its workers gone, so the next one can start.
stop_nginx() {
    kill -QUIT "$NGINX_PID" 2>/dev/null || true
    wait "$NGINX_PID" 2>/dev/null || true
    NGINX_PID=""
    for _ in $(seq 100); do pgrep -f "nginx: worker process" -P "$$" >/dev/null 2>&1 || break; sleep 0.05; done
}

start_sharp() {
    IMAGES="$WORK/img" node bench/sharp/server.mjs >"$WORK/sharp.url" 2>"$WORK/sharp.log" &
    SHARP_PID=$!
    for _ in $(seq 100); do [ -s "$WORK/sharp.url" ] && break; sleep 0.05; done
    SHARP=$(cat "$WORK/sharp.url")
}

# wrk over distinct sizes: PATTERN has %W and %H.
wrk_cold() { # wrk_cold BASE PATTERN
    PATTERN=$2 wrk -t2 -c8 -d"${SECONDS_EACH}s" -s bench/distinct-sizes.lua "$1" 2>&1
}

requests_per_second() { sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p'; }
errors() { sed -n 's/.*Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' | grep . || echo 0; }
p99() { sed -n 's/^ *99% *\([0-9.]*[a-z]*\).*/\1/p'; }

run_cold() { # run_cold WORKLOAD SERVER BASE PATTERN
    out=$(wrk_cold "$3" "$4")
    rps=$(printf '%s\n' "$out" | requests_per_second)
    failed=$(printf '%s\n' "$out" | errors)
    record "$1" "$2" "$rps" "$failed"
    log "$2" "$1" "$rps requests/s, $failed not 2xx"
}

run_warm() { # run_warm WORKLOAD SETUP URL
    out=$(wrk -t2 -c8 -d"${SECONDS_EACH}s" "$3" 2>&1)
    rps=$(printf '%s\n' "$out" | requests_per_second)
    record "$1" "$2" "$rps" "$(printf '%s\n' "$out" | errors)"
    log "$2" "$1" "$rps requests/s"
}

{
    describe_run "Picture variants: rndimg, nginx image_filter, sharp" "other sessions' builds and tests" \
        "nginx $(nginx -v 2>&1 | sed 's|.*/||') with image_filter (libgd $(dpkg-query -W -f='${Version}' libgd3)); sharp $(node -p 'require("./bench/sharp/node_modules/sharp/package.json").version') (libvips $(node -p 'require("./bench/sharp/node_modules/sharp").versions.vips')) on Node $(node --version); rndimg's libvips $(pkg-config --modversion vips)" \
        "bench/compare-variants.sh --rounds $ROUNDS --seconds $SECONDS_EACH"
    echo
} >"$TABLE"

for ROUND in $(seq "$ROUNDS"); do
    echo "round $ROUND of $ROUNDS"
    for picture in 01.png photo.jpg; do
        workload=cold-png
        [ "$picture" = photo.jpg ] && workload=cold-jpeg
        start_rndimg
        prefix=$(variant_prefix "$picture")
        run_cold "$workload" rndimg "$RNDIMG" "$prefix%Wx%H.jpg"
        stop_server
        start_rndimg
        start_nginx
        run_cold "$workload" image_filter "$NGINX" "/if/%W/%H/$picture"
        stop_nginx
        stop_server
        start_sharp
        run_cold "$workload" sharp "$SHARP" "/s/%W/%H/$picture"
        kill "$SHARP_PID"; wait "$SHARP_PID" 2>/dev/null || true; SHARP_PID=""
    done

    start_rndimg
    start_nginx
    prefix=$(variant_prefix 01.png)
    curl -s -o /dev/null "$RNDIMG${prefix}200x200.jpg"
    curl -s -o /dev/null "$NGINX/cached${prefix}200x200.jpg"
    run_warm warm rndimg-variant "$RNDIMG${prefix}200x200.jpg"
    run_warm warm rndimg-file "$RNDIMG/static/img/01.png"
    run_warm warm nginx-cached-variant "$NGINX/cached${prefix}200x200.jpg"
    run_warm warm nginx-file "$NGINX/file/01.png"

    photo=$(variant_prefix photo.jpg)
    PATTERN="$photo%Wx%H.jpg" wrk -t1 -c8 -d"$((SECONDS_EACH + 2))s" -s bench/distinct-sizes.lua "$RNDIMG" >"$WORK/saturate.out" 2>&1 &
    saturate=$!
    sleep 1
    variant=$(wrk -t1 -c4 -d"${SECONDS_EACH}s" --latency "$RNDIMG${prefix}200x200.jpg" 2>&1 | p99)
    random=$(wrk -t1 -c4 -d"${SECONDS_EACH}s" --latency "$RNDIMG/polling/api/v1.0/rndimg" 2>&1 | p99)
    wait "$saturate" || true
    record isolation cached-variant-p99 "$variant" 0
    record isolation rndimg-p99 "$random" 0
    log rndimg isolation "p99 cached variant $variant, GET /rndimg $random (pool saturated: $(requests_per_second <"$WORK/saturate.out") cold renders/s)"
    stop_nginx
    stop_server

    start_rndimg --variant-memory 16777216 --variant-disk 20971520
    prefix=$(variant_prefix photo.jpg)
    python3 bench/many-variants.py "$RNDIMG" "$prefix" 5000
    rss=$(awk '/^VmRSS/ { print $2 * 1024 }' "/proc/$SERVER_PID/status")
    # RSS in two parts: the server's own memory, and the pages of the
    # shared libraries libvips maps (file-backed, shared, reclaimable).
    anon=$(awk '/^RssAnon/ { print $2 * 1024 }' "/proc/$SERVER_PID/status")
    disk=$(du -sb "$WORK/state/variants" | cut -f1)
    record memory rss-bytes "$rss" 0
    record memory anon-bytes "$anon" 0
    record memory disk-bytes "$disk" 0
    log rndimg memory "after 5000 variants: RSS $((rss / 1048576)) MiB, of it anonymous $((anon / 1048576)) MiB (budget 16 MiB + 32), disk $((disk / 1048576)) MiB (budget 20)"
    stop_server

    start_rndimg --images "$WORK/flood" --render-queue 32
    flood=$(python3 bench/render-flood.py "$RNDIMG" "$SERVER_PID" flood.jpg 200)
    for key in renders_per_second start_rss peak_rss after_rss start_anon peak_anon after_anon; do
        record flood "$key" "$(printf '%s\n' "$flood" | tr ' ' '\n' | sed -n "s/^$key=//p")" 0
    done
    log rndimg flood "$flood"
    stop_server
done

echo "- load average at the end: $(load_average) (other work on the machine shows here)." >>"$TABLE"
echo >>"$TABLE"
python3 - "$RESULTS" >>"$TABLE" <<'EOF'
import statistics, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]
def values(metric, setup):
    return [r[3] for r in rows if r[1] == metric and r[2] == setup]
def median(metric, setup):
    numbers = [float(v) for v in values(metric, setup)]
    return statistics.median(numbers) if numbers else float("nan")
def span(metric, setup):
    numbers = [float(v) for v in values(metric, setup)]
    return f"{min(numbers):.0f}–{max(numbers):.0f}" if numbers else "?"
print("| workload | rndimg | nginx image_filter | sharp | rndimg / image_filter | rndimg / sharp |")
print("| --- | --- | --- | --- | --- | --- |")
for w in ("cold-png", "cold-jpeg"):
    r, n, s = median(w, "rndimg"), median(w, "image_filter"), median(w, "sharp")
    print(f"| {w} (requests/s) | {r:.0f} ({span(w, 'rndimg')}) | {n:.0f} ({span(w, 'image_filter')}) | "
          f"{s:.0f} ({span(w, 'sharp')}) | {r / n:.2f}x | {r / s:.2f}x |")
print()
print("| warm (requests/s) | median (min–max) |")
print("| --- | --- |")
for setup in ("rndimg-variant", "rndimg-file", "nginx-cached-variant", "nginx-file"):
    print(f"| {setup} | {median('warm', setup):.0f} ({span('warm', setup)}) |")
v, f = median("warm", "rndimg-variant"), median("warm", "rndimg-file")
c, n = median("warm", "nginx-cached-variant"), median("warm", "nginx-file")
print(f"\ncached variant / original file on rndimg: {v / f:.2f}x; nginx's cached variant / nginx's file: {c / n:.2f}x\n")
print("isolation (p99 while the pool is saturated): cached variant "
      + ", ".join(values("isolation", "cached-variant-p99")) + "; GET /rndimg " + ", ".join(values("isolation", "rndimg-p99")))
rss = [int(v) // 1048576 for v in values("memory", "rss-bytes")]
anon = [int(v) // 1048576 for v in values("memory", "anon-bytes")]
disk = [int(v) // 1048576 for v in values("memory", "disk-bytes")]
print(f"\nmemory after 5000 distinct variants (16 MiB memory, 20 MiB disk budgets): RSS {rss} MiB, "
      f"of it anonymous {anon} MiB (the rest is shared library pages), disk {disk} MiB")
def mib(key):
    return [int(v) // 1024 for v in values("flood", key)]
print(f"\nflood of 200 renders (4000x3000 progressive JPEG): renders/s {values('flood', 'renders_per_second')}; "
      f"RSS at the start {mib('start_rss')}, peak {mib('peak_rss')}, 10 s after {mib('after_rss')} MiB; "
      f"of it anonymous {mib('start_anon')}, {mib('peak_anon')}, {mib('after_anon')} MiB")
EOF
cat "$TABLE"
