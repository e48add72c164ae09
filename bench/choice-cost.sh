#!/bin/sh
# SPDX-License-Identifier: MIT
# What a choice costs on a large catalogue (issue 19's benchmark, by hand):
# bench/make-catalogue.py writes 100 000 small real PNGs in 100 albums;
#  1. p99 of rndimg?album= while the first placeholder (BlurHash) scan runs,
#     measured with wrk on a server started on a fresh state folder;
#  2. instructions per request (callgrind, the whole process: libsoup,
#     routing, the choice and the answer; DISPATCH_ONLY=1 counts only inside
#     the router's dispatch) of plain rndimg and of album, count=10, seed
#     and orientation, once the placeholders are known.
# Usage: bench/choice-cost.sh [SERVER] [CATALOGUE_DIR]
set -eu
SERVER=${1:-build-dev/server/rndimg-server}
CATALOGUE=${2:-/tmp/rndimg-catalogue-100k}
REQUESTS=${REQUESTS:-400}
WORK=$(mktemp -d)
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
API=polling/api/v1.0

[ -d "$CATALOGUE" ] || python3 "$(dirname "$0")/make-catalogue.py" "$CATALOGUE" 100000 100

start() { # start [WRAPPER...]: the server on a free port, URL in $URL
    "$@" "$SERVER" --port 0 --images "$CATALOGUE" --uploads "$CATALOGUE" --interval 0 \
        --state-file "$WORK/state/history.json" >"$WORK/out" 2>"$WORK/err" &
    PID=$!
    while [ ! -s "$WORK/out" ]; do sleep 0.2; done
    URL=$(head -n 1 "$WORK/out")
}
pending() { curl -s --max-time 10 "$URL$API/stats" | sed -n 's/.*"placeholders_pending":\([0-9]*\).*/\1/p'; }

mkdir -p "$WORK/state"
start
echo "placeholders pending at start: $(pending)"
for query in "" "?album=album-007"; do
    echo "wrk -t1 -c8 -d10s --latency '$URL${API}/rndimg$query' (first scan running):"
    wrk -t1 -c8 -d10s --latency "$URL${API}/rndimg$query" | grep -E '50%|99%|Requests/sec'
done
while [ "$(pending)" != 0 ]; do sleep 2; done
echo "placeholders all known"
for query in "" "?album=album-007"; do
    echo "wrk -t1 -c8 -d10s --latency '$URL${API}/rndimg$query' (scan done):"
    wrk -t1 -c8 -d10s --latency "$URL${API}/rndimg$query" | grep -E '50%|99%|Requests/sec'
done
kill "$PID"; wait "$PID" 2>/dev/null || true

if [ "${DISPATCH_ONLY:-0}" = 1 ]; then
    start valgrind --tool=callgrind --collect-atstart=no --toggle-collect=on_request --callgrind-out-file="$WORK/callgrind.%p"
else
    start valgrind --tool=callgrind --callgrind-out-file="$WORK/callgrind.%p"
fi
for kind in plain album count seed orientation all; do
    case $kind in
        plain) query="" ;;
        album) query="?album=album-007" ;;
        count) query="?count=10" ;;
        seed) query="?seed=user-42" ;;
        orientation) query="?orientation=portrait" ;;
        all) query="?album=album-007,album-050&count=10&orientation=landscape&exclude=album-007/p000007.png" ;;
    esac
    curl -s "$URL$API/rndimg$query" >/dev/null     # warm up (a seed's ring is built once)
    callgrind_control -z "$PID" >/dev/null
    i=0
    while [ $i -lt "$REQUESTS" ]; do curl -s "$URL$API/rndimg$query" >/dev/null; i=$((i + 1)); done
    callgrind_control -d "$kind" "$PID" >/dev/null
    file=$(ls -t "$WORK"/callgrind.* | head -n 1)
    total=$(callgrind_annotate "$file" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
    echo "$kind ($query): $((total / REQUESTS)) instructions per request"
done
