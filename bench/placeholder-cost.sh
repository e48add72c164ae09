#!/bin/sh
# SPDX-License-Identifier: MIT
# What a placeholder (average colour + BlurHash, from a small decode in the
# worker) costs, for several server binaries side by side in one run (say
# one built before a decoder change and one after). By hand:
#   bench/placeholder-cost.sh SERVER [SERVER...]
# For each kind of picture (the shipped 400x400 PNGs, a 2000x1333 JPEG, a
# 2000x1333 WebP, a 400x400 GIF) a folder of COPIES copies: the server's
# CPU time (utime + stime of the process) from its start to the end of its
# first scan ("placeholders_pending" 0), minus the same with the
# placeholders already kept in the state folder (a second start), divided
# by the copies: ms of CPU per placeholder. Then the wall time of the first
# scan of SCAN pictures (the shipped pictures, PNG and JPEG, copied), from
# the start to "placeholders_pending" 0, and the placeholders it made.
set -eu
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { sed -n '3,14s/^# \{0,1\}//p' "$0"; exit 2; }
COPIES=${COPIES:-100}
SCAN=${SCAN:-3000}
WORK=$(mktemp -d)
SERVER_PID=""
trap '[ -z "$SERVER_PID" ] || { kill "$SERVER_PID"; wait "$SERVER_PID" || true; }; rm -rf "$WORK"' EXIT

# The pictures: the shipped PNGs in turn, and one photo-sized JPEG, WebP, GIF.
vips resize data/img/01.png "$WORK/photo.v" 5
vips crop "$WORK/photo.v" "$WORK/photo.jpg[Q=90]" 0 0 2000 1333
vips crop "$WORK/photo.v" "$WORK/photo.webp[Q=90]" 0 0 2000 1333
vips copy data/img/01.png "$WORK/picture.gif"
fill() { # fill KIND: $WORK/KIND with COPIES pictures of that kind
    mkdir -p "$WORK/$1"
    i=0
    while [ $i -lt "$COPIES" ]; do
        case $1 in
            png) cp "$(ls data/img/*.png | sed -n "$((i % 51 + 1))p")" "$WORK/png/p$i.png" ;;
            gif) cp "$WORK/picture.gif" "$WORK/gif/p$i.gif" ;;
            *) cp "$WORK/photo.$1" "$WORK/$1/p$i.$1" ;;
        esac
        i=$((i + 1))
    done
}
for kind in png jpg webp gif; do fill "$kind"; done
mkdir -p "$WORK/scan"
i=0
while [ $i -lt "$SCAN" ]; do
    for picture in $(find data/img -name '*.png' -o -name '*.jpg' | sort); do
        [ $i -lt "$SCAN" ] || break
        cp "$picture" "$WORK/scan/s$i.${picture##*.}"
        i=$((i + 1))
    done
done

start() { # start SERVER FOLDER STATE: the server, its URL in $BASE
    rm -f "$WORK/url"
    "$1" --port 0 --images "$2" --uploads "$2" --state-file "$3/h.json" --interval 0 \
        >"$WORK/url" 2>>"$WORK/log" &
    SERVER_PID=$!
    while [ ! -s "$WORK/url" ]; do sleep 0.02; done
    BASE=$(sed 's|/$||' "$WORK/url")
}
stop() { kill "$SERVER_PID"; wait "$SERVER_PID" || true; SERVER_PID=""; }
ticks() { awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat"; }
pending() { curl -s "$BASE/polling/api/v1.0/stats" | sed -n 's/.*"placeholders_pending":\([0-9]*\).*/\1/p'; }
wait_scan() { while [ "$(pending)" != 0 ]; do sleep 0.05; done; }
made() { wc -l <"$1/placeholders.jsonl" | tr -d ' '; }
ms() { echo "$1" | awk -v clk="$(getconf CLK_TCK)" -v n="$2" '{ printf "%.2f", $1 * 1000 / clk / n }'; }

for kind in png jpg webp gif; do
    for server in "$@"; do
        state="$WORK/state-$kind"
        rm -rf "$state"; mkdir -p "$state"
        start "$server" "$WORK/$kind" "$state"; wait_scan; cold=$(ticks); stop
        start "$server" "$WORK/$kind" "$state"; wait_scan; warm=$(ticks); stop
        echo "$kind x$COPIES, $server: $(ms $((cold - warm)) "$COPIES") ms CPU per placeholder ($(made "$state") made)"
    done
done
for server in "$@"; do
    state="$WORK/state-scan"
    rm -rf "$state"; mkdir -p "$state"
    began=$(date +%s.%N)
    start "$server" "$WORK/scan" "$state"; wait_scan
    ended=$(date +%s.%N); cpu=$(ticks); stop
    echo "first scan of $SCAN pictures, $server: $(echo "$began $ended" | awk '{ printf "%.1f", $2 - $1 }') s wall," \
         "$(ms "$cpu" 1) ms CPU (start included), $(made "$state") placeholders made"
done
