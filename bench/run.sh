#!/bin/sh
# SPDX-License-Identifier: MIT
# Measures rndimg-server on this machine: request throughput with wrk, and
# held long-polls / event streams with bench-push. Release build, loopback
# only, bounded in time. Prints medians of several runs.
#   bench/run.sh [CLIENTS] [ROUNDS]
set -eu
cd "$(dirname "$0")/.."

CLIENTS=${1:-5000}
ROUNDS=${2:-5}
BUILD=build-bench
PORT=5099
URL=http://127.0.0.1:$PORT

command -v wrk >/dev/null || { apt-get update -q && apt-get install -y -q wrk; }
[ -d "$BUILD" ] || meson setup "$BUILD" --buildtype=release -Dgtk_client=disabled >/dev/null
meson compile -C "$BUILD" server/rndimg-server bench/bench-push >/dev/null

start_server() {
    "$BUILD/server/rndimg-server" --port "$PORT" --interval 0 --max-waiters 100000 --max-streams 100000 \
        --max-connections-per-address 200000 >/dev/null 2>&1 &
    SERVER=$!
    sleep 0.5
}
stop_server() { kill "$SERVER" && wait "$SERVER" 2>/dev/null || true; }
trap 'kill $SERVER 2>/dev/null' EXIT
start_server

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

throughput() { # throughput PATH: median requests/s of ROUNDS wrk runs
    for _ in $(seq "$ROUNDS"); do
        wrk -t 1 -c 50 -d 5s "$URL$1" | awk '/Requests\/sec/ { print $2 }'
    done | median
}

rss() { awk '/VmRSS/ { print $2 }' /proc/$SERVER/status; }

echo "rndimg-server, release build, $(nproc) cores, loopback; wrk -t1 -c50 -d5s, median of $ROUNDS runs"
echo "server memory at start: $(rss) KiB"
echo "GET /polling/api/v1.0/rndimg     $(throughput /polling/api/v1.0/rndimg) requests/s"
echo "GET /static/img/023.png (24 KB)  $(throughput /static/img/023.png) requests/s"
echo "server memory after $(curl -s "$URL/polling/api/v1.0/stats" | sed 's/.*"requests_served":\([0-9]*\).*/\1/') requests: $(rss) KiB"
for mode in poll sse; do   # a fresh server each, for honest memory figures
    stop_server
    start_server
    "$BUILD/bench/bench-push" "$URL" "$SERVER" "$mode" "$CLIENTS" "$ROUNDS"
done
