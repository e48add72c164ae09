#!/bin/sh
# SPDX-License-Identifier: MIT
# Measures rndimg-server side by side with nginx+nchan (Debian's packages,
# one worker) on this machine: push fan-out, sustained delivery, latency,
# memory per held client, request throughput (a small JSON answer, a
# picture, a cached variant) and memory at start. By hand only, never in
# the test run. Everything listens on 127.0.0.1; every run is bounded.
#
#   bench/compare-nchan.sh [--rounds N] [--seconds S] [--server PATH] [--pin]
#                          [--busy-poll USEC]
#                          [--only LIST]
#     --rounds N    rounds of every workload (default 3; at least 3)
#     --seconds S   length of the sustained-publish and wrk runs (default 10)
#     --server PATH measure this rndimg-server instead of building one
#                   (also RNDIMG_SERVER=PATH)
#     --pin         the server under test on CPU 0, the load client (and
#                   wrk) on CPU 1, for both servers: otherwise the scheduler
#                   sometimes puts them on one core, which makes rounds of
#                   the same binary differ by half
#     --only LIST   only these workloads, comma-separated, of: poll sse
#                   (the fan-outs), rate, latency, json, static, variant
#                   (default all)
#     --busy-poll USEC  rndimg runs with --busy-poll USEC (default: its
#                   own default, 0), the floor with --spin; nginx has no
#                   such setting
#
# The latency workload also runs bench/latency-floor.c, a server that does
# nothing but its system calls: the least any server gets on this machine.
#
# In each round every workload runs on rndimg, then on nchan (A B A B ...),
# each push run on a freshly started server. Raw figures go to
# build-bench/bench-results.tsv, the table (medians, min-max, and the median
# of the per-round rndimg/nchan ratios) to build-bench/bench-results.md.
set -eu
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

SECONDS_PER_RUN=10
ONLY=poll,sse,rate,latency,json,static,variant
ON_SERVER_CPU=""
ON_CLIENT_CPU=""
BUSY_POLL=""
nchan_option() {
    case $1 in
        --seconds) SECONDS_PER_RUN=$2; SHIFT=2 ;;
        --pin) ON_SERVER_CPU="taskset -c 0"; ON_CLIENT_CPU="taskset -c 1"; SHIFT=1 ;;
        --only) ONLY=$2; SHIFT=2 ;;
        --busy-poll) BUSY_POLL="--busy-poll $2"; SHIFT=2 ;;
    esac
}
parse_arguments nchan_option "$@"
for workload in $(echo "$ONLY" | tr , ' '); do
    case $workload in
        poll|sse|rate|latency|json|static|variant) ;;
        *) echo "$BENCH_SCRIPT: unknown workload $workload (--help lists them)" >&2; exit 2 ;;
    esac
done

# wanted WORKLOAD: whether --only names it
wanted() { case ",$ONLY," in *",$1,"*) return 0 ;; esac; return 1; }
cd "$(dirname "$0")/.."

BUILD=build-bench
RESULTS=$BUILD/bench-results.tsv
TABLE=$BUILD/bench-results.md
PUSH_LOAD=$BUILD/bench/push-load
# What nchan publishes: shaped and sized like one of rndimg's events.
NCHAN_EVENT='{"status":"success","id":42,"message":"http://127.0.0.1:5000/static/img/023.png","name":"023.png","published_at":"2026-11-24T14:37:25.938523Z","source":"api"}'

per_address_cap() {
    "$SERVER_BIN" --help 2>&1 | grep -q -- --max-connections-per-address &&
        echo "--max-connections-per-address 1000000"
    return 0
}

start_rndimg() {
    PORT=$("$PUSH_LOAD" port)
    # Every load client comes from 127.0.0.1: lift the per-address cap
    # where the server has one.
    # shellcheck disable=SC2046
    # A state folder of its own at every start: no history or variants
    # carried from one run to the next, but the placeholders are, as a
    # restarted server has them (the first start of a round makes them):
    # "at start" is a restart, which loads no libvips (bench/README.md).
    [ ! -f "$WORK/state/placeholders.jsonl" ] || mv "$WORK/state/placeholders.jsonl" "$WORK/placeholders.jsonl"
    rm -rf "$WORK/state"
    mkdir -p "$WORK/state"
    [ ! -f "$WORK/placeholders.jsonl" ] || mv "$WORK/placeholders.jsonl" "$WORK/state/"
    $ON_SERVER_CPU "$SERVER_BIN" --port "$PORT" --address 127.0.0.1 --interval 0 --state-file "$WORK/state/history.json" \
        --max-waiters 100000 --max-streams 100000 $(per_address_cap) $BUSY_POLL >"$WORK/rndimg.log" 2>&1 &
    SERVER_PID=$!
    MEASURED_PIDS=$SERVER_PID
    "$PUSH_LOAD" up "$PORT" || { cat "$WORK/rndimg.log" >&2; exit 1; }
    # What "at start" means: the first placeholders computed, the server idle.
    for _ in $(seq 100); do
        curl -sf "http://127.0.0.1:$PORT/polling/api/v1.0/stats" | grep -q '"placeholders_pending":0' && break
        sleep 0.1
    done
}

# The floor (bench/latency-floor.c): a server doing nothing but its system
# calls, answering on rndimg's paths; it spins as rndimg does under --busy-poll.
start_floor() {
    PORT=$("$PUSH_LOAD" port)
    $ON_SERVER_CPU "$BUILD/bench/latency-floor" "$PORT" ${BUSY_POLL:+--spin} &
    SERVER_PID=$!
    MEASURED_PIDS=$SERVER_PID
    "$PUSH_LOAD" up "$PORT" || exit 1
}

start_nchan() {
    PORT=$("$PUSH_LOAD" port)
    sed "s/@PORT@/$PORT/g" bench/nchan.conf.in >"$WORK/nginx/nginx.conf"
    $ON_SERVER_CPU nginx -p "$WORK/nginx/" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" &
    SERVER_PID=$!
    "$PUSH_LOAD" up "$PORT" || { cat "$WORK/nginx/error.log" >&2; exit 1; }
    MEASURED_PIDS=""
    for _ in $(seq 400); do   # the worker, what holds the clients; at most 20 s
        MEASURED_PIDS=$(pgrep -P "$SERVER_PID" | paste -sd, -) && break
        sleep 0.05
    done
    [ -n "$MEASURED_PIDS" ] || { echo "$BENCH_SCRIPT: no nginx worker" >&2; exit 1; }
}

# push_load WORKLOAD SERVER poll|sse [OPTION...]: the push client on the
# server started last, with that server's paths.
push_load() {
    workload=$1 server=$2 transport=$3
    shift 3
    if [ "$server" = rndimg ] || [ "$server" = floor ]; then
        if [ "$transport" = sse ]; then
            set -- --sub /polling/api/v1.0/events --sse --ready-key '"open_streams":' "$@"
        else
            set -- --sub '/polling/api/v1.0/rndimg/poll?timeout=120' --ready-key '"waiting_polls":' "$@"
        fi
        set -- --pub /polling/api/v1.0/publish --ready /polling/api/v1.0/stats "$@"
    else
        if [ "$transport" = sse ]; then
            set -- --sub '/sse?id=bench' --sse "$@"
        else
            set -- --sub '/lp?id=bench' "$@"
        fi
        set -- --pub '/pub?id=bench' --pub-body "$NCHAN_EVENT" --ready /nchan_status --ready-key 'subscribers: ' "$@"
    fi
    $ON_CLIENT_CPU "$PUSH_LOAD" "$workload" --port "$PORT" --marker published_at --pids "$MEASURED_PIDS" "$@" ||
        echo "ok=0 failed=1"
}

fanout() { # fanout SERVER poll|sse CLIENTS
    "start_$1"
    line=$(push_load fanout "$1" "$2" --clients "$3")
    stop_server
    ok=$(field ok "$line")
    record "$2$3_ms" "$1" "$(field ms "$line")" "$ok"
    record "$2$3_bytes" "$1" "$(field bytes_per_client "$line")" "$ok"
    record publish_connection "$1" "$(field publish "$line")" 1
    log "$1" "$2 $3" "$line"
}

rate() { # rate SERVER
    "start_$1"
    line=$(push_load rate "$1" sse --clients 1000 --publishers 4 --seconds "$SECONDS_PER_RUN")
    stop_server
    record rate_deliveries "$1" "$(field deliveries_per_s "$line")" "$(field ok "$line")"
    log "$1" "rate" "$line"
}

latency() { # latency SERVER
    "start_$1"
    line=$(push_load latency "$1" sse --count 1000)
    stop_server
    record latency_p50 "$1" "$(field p50 "$line")" "$(field ok "$line")"
    record latency_p99 "$1" "$(field p99 "$line")" "$(field ok "$line")"
    log "$1" "latency" "$line"
}

# memory_kib [FIELD]: resident memory of the measured processes, KiB
# (VmRSS, or another line of /proc/PID/status: RssAnon, the anonymous part)
memory_kib() {
    for pid in $(printf '%s' "$MEASURED_PIDS" | tr , ' '); do
        awk -v field="${1:-VmRSS}:" '$1 == field { print $2 }' "/proc/$pid/status"
    done | awk '{ total += $1 } END { print total }'
}

# The canonical URL of a 200x200 JPEG of 023.png on the rndimg server
# started last, rendered once; its bytes become nginx's file at the same
# path, so both serve the same bytes.
prepare_variant() {
    location=$(curl -s -o /dev/null -w '%{redirect_url}' "http://127.0.0.1:$PORT/img/023.png/200x200.jpg")
    VARIANT_PATH=/${location#http://*/}
    mkdir -p "$WORK/nginx/html$(dirname "$VARIANT_PATH")"
    curl -sf -o "$WORK/nginx/html$VARIANT_PATH" "http://127.0.0.1:$PORT$VARIANT_PATH"
}

throughput() { # throughput SERVER METRIC PATH
    "start_$1"
    [ "$2" != variant_rps ] || [ "$1" != rndimg ] || prepare_variant
    [ "$2" != variant_rps ] || set -- "$1" "$2" "$VARIANT_PATH"
    rss_before=$(memory_kib) anon_before=$(memory_kib RssAnon)
    out=$($ON_CLIENT_CPU wrk -t1 -c50 -d"${SECONDS_PER_RUN}s" "http://127.0.0.1:$PORT$3" 2>&1) || true
    record "$2_rss_before" "$1" "$rss_before" 1
    record "$2_anon_before" "$1" "$anon_before" 1
    record "$2_rss_after" "$1" "$(memory_kib)" 1
    record "$2_anon_after" "$1" "$(memory_kib RssAnon)" 1
    stop_server
    rps=$(printf '%s\n' "$out" | awk '/^Requests\/sec/ { print $2 }')
    ok=1
    printf '%s\n' "$out" | grep -q -e 'Non-2xx' -e '^ *Socket errors' && ok=0
    record "$2" "$1" "${rps:-0}" "$ok"
    log "$1" "$2" "$rps req/s$( [ $ok = 1 ] || printf ' (errors: %s)' "$(printf '%s' "$out" | grep -e Non-2xx -e 'Socket errors' | tr -s ' ' | tr '\n' ' ')")"
}

one_round() {
    for clients in 1000 5000; do
        for transport in poll sse; do
            wanted "$transport" || continue
            fanout rndimg "$transport" "$clients"
            fanout nchan "$transport" "$clients"
        done
    done
    if wanted rate; then
        rate rndimg
        rate nchan
    fi
    if wanted latency; then
        latency rndimg
        latency nchan
        latency floor
    fi
    if wanted json; then
        throughput rndimg json_rps /polling/api/v1.0/rndimg
        throughput nchan json_rps /rndimg
    fi
    if wanted static; then
        throughput rndimg static_rps /static/img/023.png
        throughput nchan static_rps /static/img/023.png
    fi
    if wanted variant; then
        throughput rndimg variant_rps variant
        throughput nchan variant_rps variant
    fi
}

build
raise_fd_limit
WORK=$(mktemp -d /tmp/rndimg-bench.XXXXXX)
trap 'stop_server; rm -rf "$WORK"' EXIT
trap 'exit 1' INT TERM
mkdir -p "$WORK/nginx/tmp" "$WORK/nginx/html/static/img"
cp data/img/023.png "$WORK/nginx/html/static/img/"

HEADER=$(describe_run "rndimg vs nginx+nchan, side by side" "server and load client" \
    "nginx $(nginx -v 2>&1 | sed 's|.*/||') + nchan $(dpkg-query -W -f='${Version}' libnginx-mod-nchan), 1 worker." \
    "$BENCH_SCRIPT --rounds $ROUNDS --seconds $SECONDS_PER_RUN${ON_SERVER_CPU:+ --pin}${BUSY_POLL:+ $BUSY_POLL} --only $ONLY")
run_rounds "$HEADER" bench/summarize.py
