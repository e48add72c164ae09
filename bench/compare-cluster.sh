#!/bin/sh
# SPDX-License-Identifier: MIT
# Measures a cluster beside one node, on this machine: scripts/cluster.sh
# as it ships (Redis, three rndimg-server nodes, nginx balancing them) in a
# temporary folder on free loopback ports, never the system nginx or Redis.
# By hand only, never in the test run; every run is bounded.
#
#   bench/compare-cluster.sh [--rounds N] [--count N] [--server PATH]
#     --rounds N    rounds of every workload (default 3; at least 3)
#     --count N     publishes in each latency run (default 1000)
#     --server PATH measure this rndimg-server instead of building one
#                   (also RNDIMG_SERVER=PATH)
#
# Three setups, each started afresh for every run:
#   memory   one node, --broker memory (as bench/compare-nchan.sh measures it)
#   redis    one node, --broker redis://… (scripts/cluster.sh with one node)
#   cluster  scripts/cluster.sh: three nodes on one Redis, nginx in front
# Workloads (bench/push-load):
#   fanout   N SSE streams (1000, then 5000; the cluster's through nginx,
#            so spread over the nodes), one publish (on node A): ms until
#            the last stream has it
#   latency  one SSE reader, publishes one after another: p50, p99 from
#            publish to receipt (cluster: published on node A, read on
#            node B directly)
# Raw figures go to build-bench/cluster-results.tsv, the table (medians and
# min-max over the rounds) to build-bench/cluster-results.md.
set -eu
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

COUNT=1000
cluster_option() {
    case $1 in
        --count) COUNT=$2; SHIFT=2 ;;
    esac
}
parse_arguments cluster_option "$@"
cd "$(dirname "$0")/.."

BUILD=build-bench
RESULTS=$BUILD/cluster-results.tsv
TABLE=$BUILD/cluster-results.md
PUSH_LOAD=$BUILD/bench/push-load
# Every setup gets the same limits: clients all come from 127.0.0.1.
NODE_ARGS="--interval 0 --max-waiters 100000 --max-streams 100000"

# free_ports N: N loopback ports nobody listens on, all different.
free_ports() {
    python3 -c '
import socket, sys
sockets = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in sockets: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in sockets))' "$1"
}

RUN=0

# Each start sets SUB_PORT (where clients connect), PUB_PORT (node A),
# NODES (every node's port, comma-separated), READER_PORT (a node other
# than A when there is one) and PIDS (the nodes).
start_memory() {
    RUN=$((RUN + 1))
    set -- $(free_ports 1)
    # shellcheck disable=SC2086
    "$SERVER_BIN" --port "$1" --address 127.0.0.1 --state-file "$WORK/memory-$RUN.json" \
        --max-connections-per-address 1000000 $NODE_ARGS >"$WORK/memory-$RUN.log" 2>&1 &
    SERVER_PID=$!
    "$PUSH_LOAD" up "$1" || { cat "$WORK/memory-$RUN.log" >&2; exit 1; }
    SUB_PORT=$1 PUB_PORT=$1 NODES=$1 READER_PORT=$1 PIDS=$SERVER_PID
}

# start_redis_nodes COUNT: scripts/cluster.sh with COUNT nodes.
start_redis_nodes() {
    RUN=$((RUN + 1))
    dir=$WORK/cluster-$RUN
    set -- $(free_ports $(($1 + 2)))
    balancer=$1 redis=$2
    shift 2
    PORT=$balancer NODE_PORTS="$*" REDIS_PORT=$redis CLUSTER_DIR=$dir RNDIMG_SERVER=$SERVER_BIN \
        scripts/cluster.sh $NODE_ARGS >"$WORK/cluster-$RUN.out" 2>"$WORK/cluster-$RUN.err" &
    SERVER_PID=$!
    for _ in $(seq 300); do
        grep -q '^http://' "$WORK/cluster-$RUN.out" 2>/dev/null && break
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    grep -q '^http://' "$WORK/cluster-$RUN.out" || { cat "$WORK/cluster-$RUN.err" >&2; exit 1; }
    SUB_PORT=$balancer PUB_PORT=$1 NODES=$(echo "$*" | tr ' ' ,) READER_PORT=${2:-$1}
    PIDS=$(cat "$dir"/node*.pid | paste -sd, -)
    for node in "$@"; do curl -sf -o /dev/null "http://127.0.0.1:$node/readyz"; done
}

start_redis() { start_redis_nodes 1; }
start_cluster() { start_redis_nodes 3; }

# push_load WORKLOAD PORT [OPTION...]: SSE clients on PORT, publishes on
# node A, held streams counted on every node.
push_load() {
    workload=$1 port=$2
    shift 2
    "$PUSH_LOAD" "$workload" --port "$port" --pub-port "$PUB_PORT" --ready-ports "$NODES" \
        --sub /polling/api/v1.0/events --sse --ready-key '"open_streams":' \
        --pub /polling/api/v1.0/publish --ready /polling/api/v1.0/stats \
        --marker published_at --pids "$PIDS" "$@" || echo "ok=0 failed=1"
}

fanout() { # fanout SETUP CLIENTS
    "start_$1"
    line=$(push_load fanout "$SUB_PORT" --clients "$2")
    stop_server
    record "sse$2_ms" "$1" "$(field ms "$line")" "$(field ok "$line")"
    log "$1" "fanout $2" "$line"
}

latency() { # latency SETUP
    "start_$1"
    line=$(push_load latency "$READER_PORT" --count "$COUNT")
    stop_server
    record latency_p50 "$1" "$(field p50 "$line")" "$(field ok "$line")"
    record latency_p99 "$1" "$(field p99 "$line")" "$(field ok "$line")"
    log "$1" "latency" "$line"
}

one_round() {
    for clients in 1000 5000; do
        for setup in memory redis cluster; do
            fanout "$setup" "$clients"
        done
    done
    for setup in memory redis cluster; do
        latency "$setup"
    done
}

build
raise_fd_limit
WORK=$(mktemp -d /tmp/rndimg-cluster-bench.XXXXXX)
trap 'stop_server; rm -rf "$WORK"' EXIT
trap 'exit 1' INT TERM

HEADER=$(describe_run "rndimg: three nodes on one Redis behind nginx, beside one node" \
    "Redis, nodes, nginx and the load client" \
    "$(redis-server --version | cut -d' ' -f1-3); nginx $(nginx -v 2>&1 | sed 's|.*/||'), 1 worker." \
    "$BENCH_SCRIPT --rounds $ROUNDS --count $COUNT")
run_rounds "$HEADER" bench/summarize-cluster.py
