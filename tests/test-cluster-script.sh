#!/bin/sh
# SPDX-License-Identifier: MIT
# scripts/cluster.sh as a user runs it: Redis, three nodes and nginx on
# free loopback ports; curl through the load balancer publishes, follows
# and resumes, and goes on when a node is killed with SIGKILL. TAP output.
# Needs RNDIMG_SERVER and RNDIMG_SOURCE_ROOT (set by meson test).
set -u

WORK=$(mktemp -d)
cd "$RNDIMG_SOURCE_ROOT" || exit 1
ports=$(python3 -c '
import socket
sockets = [socket.socket() for _ in range(5)]
for s in sockets: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in sockets))')
set -- $ports
LB=$1 REDIS=$2 NODES="$3 $4 $5"
API="http://127.0.0.1:$LB/polling/api/v1.0"

PORT=$LB NODE_PORTS=$NODES REDIS_PORT=$REDIS CLUSTER_DIR="$WORK/cluster" \
    setsid scripts/cluster.sh --interval 0 >"$WORK/cluster.out" 2>"$WORK/cluster.err" &
CLUSTER=$!
cleanup() {
    kill -TERM "$CLUSTER" 2>/dev/null
    wait "$CLUSTER" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

count=0
failed=0
check() {
    description=$1
    shift
    count=$((count + 1))
    if "$@"; then
        echo "ok $count $description"
    else
        echo "not ok $count $description"
        failed=1
    fi
}

started() {
    for _ in $(seq 200); do
        grep -q "^http://127.0.0.1:$LB/" "$WORK/cluster.out" 2>/dev/null && return 0
        sleep 0.1
    done
    cat "$WORK/cluster.err" >&2
    return 1
}

id_of() {
    sed -n 's/.*"id":\([0-9]*\).*/\1/p'
}

# Six publishes through the balancer land on the three nodes in turn and
# get ids 1 to 6; every node served some.
publishes_round_robin() {
    for expected in 1 2 3 4 5 6; do
        id=$(curl -sf -XPOST "$API/publish" | id_of)
        [ "$id" = "$expected" ] || { echo "# publish got id '$id', expected $expected" >&2; return 1; }
    done
    for node in $NODES; do
        served=$(curl -sf "http://127.0.0.1:$node/polling/api/v1.0/stats" | sed -n 's/.*"requests_served":\([0-9]*\).*/\1/p')
        [ "${served:-0}" -ge 2 ] || { echo "# node $node served ${served:-0} requests" >&2; return 1; }
    done
}

# An event stream through nginx gets the replay and a live event at once
# (unbuffered), and a long-poll resumes from any id.
stream_and_poll_pass_unbuffered() {
    curl -sN -H 'Last-Event-ID: 5' "$API/events" >"$WORK/stream.txt" &
    reader=$!
    sleep 0.5
    curl -sf -XPOST "$API/publish" >/dev/null
    sleep 0.5
    kill "$reader"
    wait "$reader" 2>/dev/null
    [ "$(grep -c '^id: ' "$WORK/stream.txt")" = 2 ] &&
        grep -q '^id: 6$' "$WORK/stream.txt" && grep -q '^id: 7$' "$WORK/stream.txt" &&
        [ "$(curl -sf "$API/rndimg/poll?since=3" | id_of)" = 4 ]
}

# SIGKILL a node: the balancer skips it; nothing is lost or doubled.
survives_a_killed_node() {
    set -- $NODES
    kill -KILL "$(cat "$WORK/cluster/node1.pid")" || return 1
    # Gone for good first: a request handed to a node in its last instant
    # is lost with it (a 502 its client must retry).
    for _ in $(seq 100); do
        curl -s -o /dev/null "http://127.0.0.1:$1/healthz" || break
        sleep 0.05
    done
    for expected in 8 9 10 11; do
        id=$(curl -sf -XPOST "$API/publish" | id_of)
        [ "$id" = "$expected" ] || { echo "# after the kill, publish got id '$id', expected $expected" >&2; return 1; }
    done
    [ "$(curl -sf "$API/rndimg/poll?since=7" | id_of)" = 8 ]
}

echo "1..5"
# A canonical variant through nginx: the first request goes to a node
# (MISS), the next ones come from nginx's cache (HIT) with the same bytes;
# the short spelling's redirect is never cached. An album's picture too
# (its '/' is %2F in the URL, which nginx decodes before matching).
variant_cached_by_nginx() {
    base="http://127.0.0.1:$LB"
    location=$(curl -s -o /dev/null -w '%{redirect_url}' "$base/img/$1/120x80.webp")
    case "$location" in
        "$base/img/$1/"*/120x80.webp) ;;
        *) echo "# no canonical redirect for $1: '$location'" >&2; return 1 ;;
    esac
    first=$(curl -s -o "$WORK/v1" -D - "$location" | tr -d '\r' | sed -n 's/^X-Cache-Status: //Ip')
    second=$(curl -s -o "$WORK/v2" -D - "$location" | tr -d '\r' | sed -n 's/^X-Cache-Status: //Ip')
    redirect=$(curl -s -o /dev/null -D - "$base/img/$1/120x80.webp" | tr -d '\r' | sed -n 's/^X-Cache-Status: //Ip')
    [ "$first" = MISS ] && [ "$second" = HIT ] && cmp -s "$WORK/v1" "$WORK/v2" && [ -z "$redirect" ] ||
        { echo "# $1: first '$first', second '$second', redirect '$redirect'" >&2; return 1; }
}

variants_cached_by_nginx() {
    variant_cached_by_nginx 01.png && variant_cached_by_nginx squares%2Fsquares-1.png
}

check "cluster.sh starts Redis, three nodes and nginx" started
check "publishes through nginx go round-robin, ids 1 to 6" publishes_round_robin
check "SSE and long-poll pass through nginx unbuffered and resume" stream_and_poll_pass_unbuffered
check "canonical variants come from nginx's cache, redirects never" variants_cached_by_nginx
check "a node killed with SIGKILL: nginx skips it, ids go on" survives_a_killed_node
exit $failed
