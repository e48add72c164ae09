#!/bin/sh
# SPDX-License-Identifier: MIT
# A cluster on this machine, all on loopback: Debian's redis-server, three
# rndimg-server nodes sharing it (--broker redis://…) and Debian's nginx
# as a round-robin load balancer in front (data/nginx/rndimg-cluster.conf.in).
# Ctrl-C (or SIGTERM) stops everything it started. Ports and the folder
# come from the environment:
#   PORT=8080 NODE_PORTS="5001 5002 5003" REDIS_PORT=6390
#   CLUSTER_DIR=~/.local/state/rndimg/cluster  (Redis data, node state, logs)
#   RNDIMG_SERVER=build/server/rndimg-server
# Extra arguments go to every node (e.g. --interval 2).
set -eu
cd "$(dirname "$0")/.."

PORT=${PORT:-8080}
NODE_PORTS=${NODE_PORTS:-"5001 5002 5003"}
REDIS_PORT=${REDIS_PORT:-6390}
CLUSTER_DIR=${CLUSTER_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/rndimg/cluster}
BUILD=${BUILD:-build}
SERVER=${RNDIMG_SERVER:-$BUILD/server/rndimg-server}

scripts/install-deps.sh --cluster
if [ ! -x "$SERVER" ]; then
    [ -d "$BUILD" ] || meson setup "$BUILD"
    meson compile -C "$BUILD"
fi
mkdir -p "$CLUSTER_DIR"
# Every viewer costs descriptors (nginx: two): raise the soft limit as far
# as the hard one allows, for the nodes and nginx started below.
# shellcheck disable=SC3045 # dash, Debian's sh, has ulimit -n and -H
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

pids=""
stop_all() {
    trap - INT TERM EXIT
    for pid in $pids; do kill "$pid" 2>/dev/null || true; done
    for pid in $pids; do wait "$pid" 2>/dev/null || true; done
}
trap stop_all EXIT
trap 'exit 0' INT TERM

wait_for_port() {
    for _ in $(seq 100); do
        curl -s -o /dev/null "http://127.0.0.1:$1/" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "cluster: nothing answers on port $1" >&2
    return 1
}

# A node publishes only once Redis has answered its link (its readiness
# with ?broker=required says so).
wait_for_node() {
    for _ in $(seq 300); do
        curl -sf -o /dev/null "http://127.0.0.1:$1/readyz?broker=required" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "cluster: the node on port $1 is not linked to Redis" >&2
    return 1
}

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$CLUSTER_DIR" \
    --appendonly yes --save "" --daemonize no >"$CLUSTER_DIR/redis.log" 2>&1 &
pids="$pids $!"
for _ in $(seq 100); do
    redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
    sleep 0.1
done

upstream=""
n=0
for node_port in $NODE_PORTS; do
    n=$((n + 1))
    # Every viewer reaches a node through nginx, from 127.0.0.1: the
    # per-address cap would count them all as one client.
    "$SERVER" --port "$node_port" --address 127.0.0.1 \
        --broker "redis://127.0.0.1:$REDIS_PORT" --state-file "$CLUSTER_DIR/node$n.json" \
        --max-connections-per-address 1000000 \
        --uploads "$CLUSTER_DIR/uploads-$n" "$@" >"$CLUSTER_DIR/node$n.url" 2>"$CLUSTER_DIR/node$n.log" &
    pids="$pids $!"
    echo $! >"$CLUSTER_DIR/node$n.pid"
    upstream="$upstream server 127.0.0.1:$node_port max_fails=1 fail_timeout=2s;"
done
for node_port in $NODE_PORTS; do wait_for_node "$node_port"; done

# nginx holds two descriptors per viewer: as many as the limit allows.
connections=$(ulimit -n)
if [ "$connections" = unlimited ] || [ "$connections" -gt 65536 ]; then connections=65536; fi
user_line=""
[ "$(id -u)" -eq 0 ] && user_line="user root;"
sed -e "s|@DIR@|$CLUSTER_DIR|g" -e "s|@PORT@|$PORT|g" -e "s|@UPSTREAM_SERVERS@|$upstream|" \
    -e "s|@USER@|$user_line|" \
    -e "s|@WORKER_CONNECTIONS@|$connections|" \
    data/nginx/rndimg-cluster.conf.in >"$CLUSTER_DIR/nginx.conf"
nginx -c "$CLUSTER_DIR/nginx.conf" -p "$CLUSTER_DIR" -e "$CLUSTER_DIR/nginx-error.log" &
pids="$pids $!"
wait_for_port "$PORT"

echo "http://127.0.0.1:$PORT/"
echo "cluster: redis :$REDIS_PORT, nodes :$(echo $NODE_PORTS | tr ' ' ','), logs in $CLUSTER_DIR" >&2
wait
