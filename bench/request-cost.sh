#!/bin/sh
# SPDX-License-Identifier: MIT
# Instructions per request of the rows of bench/compare-nchan.sh, counted by
# callgrind: unlike a wall-clock run, the count does not move with the
# machine's load, so a "before" and an "after" can be compared on a busy
# machine. By hand only, never in the test run.
#
#   bench/request-cost.sh [--server PATH] [--seconds S] [--rows LIST] [--keep DIR]
#     --server PATH  measure this rndimg-server (default: a release build in
#                    build-bench/, as compare-nchan.sh makes)
#     --seconds S    length of each wrk run under callgrind (default 5)
#     --rows LIST    some of: rndimg static variant publish longpoll
#                    (comma-separated; default all)
#     --keep DIR     keep the callgrind dumps there (for callgrind_annotate)
#
# The server runs under `valgrind --tool=callgrind` with Debian's libraries,
# its placeholders computed first; each row is counted between
# `callgrind_control -z` and `-d`, so only the requests count:
#   rndimg, static, variant  wrk -t1 -c10 (keep-alive): instructions / requests
#   publish                  one event stream, publishes one after another
#                            (push-load latency): instructions / publish
#                            (its request, answer and one delivery)
#   longpoll                 push-load fanout with 200 and then 400 clients,
#                            each on a fresh server: the difference / 200,
#                            the cost of one long-poll held and answered
set -eu
cd "$(dirname "$0")/.."

SECONDS_PER_RUN=5
ROWS=rndimg,static,variant,publish,longpoll
KEEP=""
SERVER_BIN=${RNDIMG_SERVER:-}
while [ $# -gt 0 ]; do
    case $1 in
        --server) SERVER_BIN=$(realpath "$2"); shift 2 ;;
        --seconds) SECONDS_PER_RUN=$2; shift 2 ;;
        --rows) ROWS=$2; shift 2 ;;
        --keep) KEEP=$(realpath "$2"); shift 2 ;;
        -h|--help) sed -n '3,/^set -eu/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
        *) echo "request-cost.sh: unknown option $1" >&2; exit 2 ;;
    esac
done

BUILD=build-bench
[ -d "$BUILD" ] || meson setup "$BUILD" --buildtype=release -Dgtk_client=disabled >/dev/null
if [ -z "$SERVER_BIN" ]; then
    meson compile -C "$BUILD" server/rndimg-server server/rndimg-render >/dev/null
    SERVER_BIN=$(realpath "$BUILD/server/rndimg-server")
fi
meson compile -C "$BUILD" bench/push-load >/dev/null
PUSH_LOAD=$BUILD/bench/push-load

WORK=$(mktemp -d /tmp/rndimg-cost.XXXXXX)
SERVER_PID=""
stop_server() {
    [ -n "$SERVER_PID" ] || return 0
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}
trap 'stop_server; rm -rf "$WORK"' EXIT
trap 'exit 1' INT TERM
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# start_server: the server under callgrind, ready, placeholders done.
start_server() {
    PORT=$("$PUSH_LOAD" port)
    rm -f "$WORK"/cg.out*
    rm -rf "$WORK/state"   # no history or placeholders carried from a run to the next
    # libvips' modules stay out: vips-jxl's libhwy runs rdtscp at load,
    # which valgrind 3.19 cannot, and no row here uses them. Nor orc's
    # run-time code (VIPS_NOVECTOR): under valgrind it crashes now and then
    # in a placeholder's thumbnail; no row counts a render.
    VIPS_NOVECTOR=1 VIPSHOME=$WORK/no-vips-modules valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.out" \
        "$SERVER_BIN" --port "$PORT" --address 127.0.0.1 --interval 0 --state-file "$WORK/state/history.json" \
        --max-waiters 100000 --max-streams 100000 --max-connections-per-address 1000000 \
        >"$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    # Slow under valgrind: up to 5 minutes for the start and the placeholders.
    for _ in $(seq 600); do
        curl -sf "http://127.0.0.1:$PORT/polling/api/v1.0/stats" | grep -q '"placeholders_pending":0' && return 0
        sleep 0.5
    done
    cat "$WORK/server.log" >&2
    echo "request-cost.sh: the server never became ready" >&2
    exit 1
}

# counted NAME COMMAND...: instructions the server ran while COMMAND ran
# (its output in $WORK/NAME.out; with --keep, the dump in DIR/NAME.callgrind).
counted() {
    name=$1
    shift
    callgrind_control -z "$SERVER_PID" >/dev/null 2>&1
    "$@" >"$WORK/$name.out"
    callgrind_control -d "$SERVER_PID" >/dev/null 2>&1
    # The dump just made is the newest part; its "totals:" line is the count.
    part=$(ls -t "$WORK"/cg.out.* | head -1)
    [ -z "$KEEP" ] || cp "$part" "$KEEP/$name.callgrind"
    awk '/^totals:/ { print $2 }' "$part"
}

run_wrk() { # run_wrk URL: wrk's report
    wrk -t1 -c10 -d"${SECONDS_PER_RUN}s" "$1" 2>&1
}

wrk_requests() { # wrk_requests NAME PATH: instructions per request, and requests
    instructions=$(counted "$1" run_wrk "http://127.0.0.1:$PORT$2")
    requests=$(awk '/requests in/ { print $1 }' "$WORK/$1.out")
    if grep -q -e 'Non-2xx' -e 'Socket errors' "$WORK/$1.out"; then
        cat "$WORK/$1.out" >&2
        echo "request-cost.sh: wrk saw errors" >&2
        exit 1
    fi
    echo "$((instructions / requests)) $requests"
}

row() { # row NAME PER UNIT
    printf '| %s | %s | %s |\n' "$1" "$2" "$3"
}

variant_path() { # the canonical URL of a 200x200 JPEG of 023.png, rendered once
    location=$(curl -s -o /dev/null -w '%{redirect_url}' "http://127.0.0.1:$PORT/img/023.png/200x200.jpg")
    path=/${location#http://*/}
    curl -sf -o /dev/null "http://127.0.0.1:$PORT$path"
    echo "$path"
}

longpoll_total() { # longpoll_total CLIENTS: instructions of one fan-out run
    start_server
    counted "longpoll$1" "$PUSH_LOAD" fanout --port "$PORT" --sub '/polling/api/v1.0/rndimg/poll?timeout=120' \
        --pub /polling/api/v1.0/publish --ready /polling/api/v1.0/stats --ready-key '"waiting_polls":' \
        --marker published_at --pids "$SERVER_PID" --clients "$1"
    stop_server
}

echo "| row | instructions per request | requests counted |"
echo "| --- | --- | --- |"
for name in $(echo "$ROWS" | tr , ' '); do
    case $name in
        rndimg) start_server; set -- $(wrk_requests rndimg /polling/api/v1.0/rndimg); stop_server
                row "GET /rndimg" "$1" "$2" ;;
        static) start_server; set -- $(wrk_requests static /static/img/023.png); stop_server
                row "GET /static/img/023.png" "$1" "$2" ;;
        variant) start_server; set -- $(wrk_requests variant "$(variant_path)"); stop_server
                 row "a cached variant (200x200 JPEG)" "$1" "$2" ;;
        publish) start_server
                 total=$(counted publish "$PUSH_LOAD" latency --port "$PORT" --sub /polling/api/v1.0/events --sse \
                     --pub /polling/api/v1.0/publish --ready /polling/api/v1.0/stats --ready-key '"open_streams":' \
                     --marker published_at --pids "$SERVER_PID" --count 300)
                 stop_server
                 row "POST /publish -> one event stream" "$((total / 300))" 300 ;;
        longpoll) small=$(longpoll_total 200); large=$(longpoll_total 400)
                  row "a long-poll held and answered (400 - 200 clients)" "$(((large - small) / 200))" 200 ;;
        *) echo "request-cost.sh: unknown row $name" >&2; exit 2 ;;
    esac
done
