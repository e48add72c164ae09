# SPDX-License-Identifier: MIT
# Shared by the benchmark scripts (bench/compare-nchan.sh,
# bench/compare-cluster.sh), sourced first: their options, the release build,
# the raw-figure file and its table, and the header that says where a table
# was measured. Each script sets BUILD, RESULTS and TABLE before it builds.

BENCH_SCRIPT=bench/${0##*/}
ROUNDS=3
SERVER_BIN=${RNDIMG_SERVER:-}
SERVER_PID=""   # what the script started last: a server, nginx or scripts/cluster.sh

# usage: the script's leading comment, without its first two lines.
usage() { sed -n '3,/^set -eu/{/^#/s/^# \{0,1\}//p}' "$0"; }

# parse_arguments SCRIPT_OPTION "$@": --rounds N, --server PATH and --help,
# which both scripts take; SCRIPT_OPTION (a function) handles the others and
# sets SHIFT to the words it used, leaving it 0 for an option it does not know.
parse_arguments() {
    script_option=$1
    shift
    while [ $# -gt 0 ]; do
        case $1 in
            --rounds) ROUNDS=$2; shift 2 ;;
            --server) SERVER_BIN=$2; shift 2 ;;
            -h|--help) usage; exit 0 ;;
            *)
                SHIFT=0
                "$script_option" "$@"
                [ "$SHIFT" -gt 0 ] || { echo "$BENCH_SCRIPT: unknown option $1 (--help lists them)" >&2; exit 2; }
                shift "$SHIFT" ;;
        esac
    done
    [ "$ROUNDS" -ge 3 ] 2>/dev/null || { echo "$BENCH_SCRIPT: at least 3 rounds" >&2; exit 2; }
    [ -z "$SERVER_BIN" ] || SERVER_BIN=$(realpath "$SERVER_BIN")
}

# build: what the benchmarks need, then a release build of the server
# (unless --server named one) and of the load client.
build() {
    scripts/install-deps.sh --bench
    [ -d "$BUILD" ] || meson setup "$BUILD" --buildtype=release -Dgtk_client=disabled >/dev/null
    if [ -z "$SERVER_BIN" ]; then
        meson compile -C "$BUILD" server/rndimg-server server/rndimg-render >/dev/null
        SERVER_BIN=$(realpath "$BUILD/server/rndimg-server")
    fi
    meson compile -C "$BUILD" bench/push-load bench/latency-floor >/dev/null
    [ -x "$SERVER_BIN" ] || { echo "$BENCH_SCRIPT: no server at $SERVER_BIN" >&2; exit 1; }
}

stop_server() {
    [ -n "$SERVER_PID" ] || return 0
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""   # what the script started last: a server, nginx or scripts/cluster.sh
}

# field KEY LINE: the value of KEY=value in LINE
field() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

# record METRIC SETUP VALUE OK: one raw figure of this round
record() { printf '%s\t%s\t%s\t%s\t%s\n' "$ROUND" "$1" "$2" "$3" "$4" >>"$RESULTS"; }

# log SETUP WORKLOAD LINE: one run, as it ends
log() { printf '  %-8s %-18s %s\n' "$1" "$2" "$3"; }

load_average() { cut -d' ' -f1-3 /proc/loadavg; }

# describe_run TITLE SHARERS SOFTWARE COMMAND: the table's header; SHARERS
# are what runs on the cores, SOFTWARE the versions beside the server's tree.
describe_run() {
    server_tree=$(cd "$(dirname "$SERVER_BIN")" && git describe --always --dirty 2>/dev/null || echo "?")
    echo "# $1"
    echo
    echo "- $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores, $(free -g | awk '/^Mem/ { print $2 }') GiB," \
        "Linux $(uname -r); $2 share the cores."
    echo "- rndimg: \`$SERVER_BIN\` (tree at $server_tree); $3"
    # shellcheck disable=SC3045 # dash, Debian's sh, has ulimit -n and -H
    echo "- \`$4\`; open files: $(ulimit -n);" \
        "load average at the start: $(load_average)."
}

# raise_fd_limit: 5000 clients need 5000 descriptors.
raise_fd_limit() {
    # shellcheck disable=SC3045
    ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
}

# run_rounds HEADER SUMMARIZER: every round (the script's one_round), then
# the table: HEADER, the load at the end and SUMMARIZER's figures.
run_rounds() {
    : >"$RESULTS"
    for ROUND in $(seq "$ROUNDS"); do
        echo "round $ROUND of $ROUNDS"
        one_round
    done
    {
        printf '%s\n' "$1"
        echo "- load average at the end: $(load_average) (other work on the machine shows here)."
        echo
        python3 "$2" "$RESULTS"
    } >"$TABLE"
    echo
    cat "$TABLE"
    echo
    echo "table: $TABLE   raw: $RESULTS"
}
