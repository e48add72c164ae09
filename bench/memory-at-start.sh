#!/bin/sh
# SPDX-License-Identifier: MIT
# rndimg-server's resident memory at three moments, by hand (never in the
# test run): its first start on an empty state folder (every placeholder
# decoded), a restart with that state folder kept, and after its first
# render (a 200x200 JPEG). For each, VmRSS, RssAnon and RssFile of
# /proc/PID/status, medians of N runs, and with --libraries the resident
# KiB of each mapped file (smaps) at the restart.
#
#   bench/memory-at-start.sh [--runs N] [--libraries] SERVER
set -eu

RUNS=3
LIBRARIES=0
while [ $# -gt 1 ]; do
    case $1 in
        --runs) RUNS=$2; shift 2 ;;
        --libraries) LIBRARIES=1; shift ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
SERVER=$(realpath "${1:?a rndimg-server to measure}")
cd "$(dirname "$0")/.."
WORK=$(mktemp -d /tmp/rndimg-memory.XXXXXX)
PID=""
trap '[ -z "$PID" ] || kill "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT

start() {
    "$SERVER" --port 0 --address 127.0.0.1 --interval 0 --images data/img \
        --state-file "$WORK/state/history.json" >"$WORK/url" 2>"$WORK/log" &
    PID=$!
    for _ in $(seq 100); do [ -s "$WORK/url" ] && break; sleep 0.1; done
    URL=$(head -n 1 "$WORK/url")
    for _ in $(seq 300); do
        curl -sf "${URL}polling/api/v1.0/stats" | grep -q '"placeholders_pending":0' && break
        sleep 0.1
    done
    sleep 1
}

stop() { kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""; }

# status_kib: "VmRSS RssAnon RssFile" of the server, KiB
status_kib() {
    awk '$1 == "VmRSS:" { r = $2 } $1 == "RssAnon:" { a = $2 } $1 == "RssFile:" { f = $2 }
         END { print r, a, f }' "/proc/$PID/status"
}

# libraries: resident KiB per mapped file, largest first
libraries() {
    awk '/^[0-9a-f]+-[0-9a-f]+ / { file = $6 } $1 == "Rss:" && file ~ /^\// { kib[file] += $2 }
         END { for (f in kib) print kib[f], f }' "/proc/$PID/smaps" | sort -rn
}

for run in $(seq "$RUNS"); do
    rm -rf "$WORK/state"
    start
    echo "fresh $(status_kib)" >>"$WORK/figures"
    stop
    start
    echo "restart $(status_kib)" >>"$WORK/figures"
    [ "$LIBRARIES" = 0 ] || [ "$run" != 1 ] || libraries >"$WORK/libraries"
    curl -sf -L -o /dev/null "${URL}img/023.png/200x200.jpg"
    sleep 1
    echo "rendered $(status_kib)" >>"$WORK/figures"
    stop
done

echo "moment            VmRSS  RssAnon  RssFile   (KiB, median of $RUNS)"
for moment in fresh restart rendered; do
    for column in 2 3 4; do
        awk -v m="$moment" -v c="$column" '$1 == m { print $c }' "$WORK/figures" | sort -n |
            awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
    done | xargs printf "%-16s %7s %8s %8s\n" "$moment"
done
if [ "$LIBRARIES" = 1 ]; then
    echo
    echo "resident KiB per mapped file at the restart (run 1):"
    head -n 25 "$WORK/libraries"
    awk '{ t += $1 } END { print t, "in all files" }' "$WORK/libraries"
fi
