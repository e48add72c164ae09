#!/bin/sh
# SPDX-License-Identifier: MIT
# The memory of two cluster nodes under event traffic and faults, for a
# long run (issue 33, point 4): bench/cluster-soak (Redis, two nodes with
# their links through TCP proxies it pauses, ten publishes a second on
# node A, followers of the three kinds coming and going on both, a link
# paused every 30 s and 45 s). By hand only, never in the test run.
#
#   bench/cluster-soak.sh [--seconds N] [--uploads] [--heaptrack] [--server PATH]
#     --seconds N   how long (default 1800)
#     --uploads     an upload a second on node A too (the catalogue grows)
#     --heaptrack   both nodes under heaptrack (their allocations, kept
#                   in build-bench/heaptrack.PID.zst; heaptrack_print reads them)
#     --server PATH measure this rndimg-server instead of building one
#
# Writes build-bench/cluster-soak.tsv (seconds, events, each node's VmRSS
# and RssAnon in KiB, every 30 s) and prints the growth after the first
# minute (what start-up, caches and the allocator's first pools take).
set -eu
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

SECONDS_TO_RUN=1800
SOAK_ARGS=""
HEAPTRACK=""
soak_option() {
    case $1 in
        --seconds) SECONDS_TO_RUN=$2; SHIFT=2 ;;
        --uploads) SOAK_ARGS="--uploads"; SHIFT=1 ;;
        --heaptrack) HEAPTRACK=1; SHIFT=1 ;;
    esac
}
ROUNDS=3   # not used here; lib.sh checks it
parse_arguments soak_option "$@"
cd "$(dirname "$0")/.."

BUILD=build-bench
build
meson compile -C "$BUILD" bench/cluster-soak >/dev/null
TSV=$BUILD/cluster-soak.tsv
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

server=$SERVER_BIN
if [ -n "$HEAPTRACK" ]; then
    # heaptrack's own script prints to stdout, where the fixture reads the
    # node's URL: its preload library and interpreter are used directly.
    out=$(realpath "$BUILD")
    cat >"$WORK/heaptrack-server" <<EOF
#!/bin/sh
mkfifo "$WORK/ht.\$\$"
/usr/lib/heaptrack/libexec/heaptrack_interpret <"$WORK/ht.\$\$" | zstd -q -c >"$out/heaptrack.\$\$.zst" &
exec env LD_PRELOAD=/usr/lib/heaptrack/libheaptrack_preload.so DUMP_HEAPTRACK_OUTPUT="$WORK/ht.\$\$" "$SERVER_BIN" "\$@"
EOF
    chmod +x "$WORK/heaptrack-server"
    server=$WORK/heaptrack-server
fi

raise_fd_limit
echo "soak: $SECONDS_TO_RUN s, server $SERVER_BIN, load average $(load_average)" >&2
# shellcheck disable=SC2086
RNDIMG_SERVER=$server RNDIMG_SOURCE_ROOT=$(pwd) RNDIMG_IMAGES=$(pwd)/data/img \
    XDG_STATE_HOME=$WORK/state "$BUILD/bench/cluster-soak" --seconds "$SECONDS_TO_RUN" --sample 30 $SOAK_ARGS \
    >"$TSV" 2>"$WORK/soak.log"
python3 - "$TSV" <<'EOF'
import sys
rows = [line.split('\t') for line in open(sys.argv[1]) if line[0].isdigit()]
rows = [[int(x) for x in row] for row in rows]
warm = next((r for r in rows if r[0] >= 60), rows[0])
last = rows[-1]
hours = max(last[0] - warm[0], 1) / 3600
for node, column in (('A', 3), ('B', 5)):
    grew = last[column] - warm[column]
    print(f"node {node}: RssAnon {warm[column]} KiB at {warm[0]} s, {last[column]} KiB at {last[0]} s "
          f"({grew:+d} KiB, {grew / hours:+.0f} KiB/hour; peak {max(r[column] for r in rows)} KiB), "
          f"VmRSS {last[column - 1]} KiB")
print(f"events published: {last[1]} ({last[1] / max(last[0], 1):.1f}/s)")
EOF
echo "load average at the end: $(load_average); raw: $TSV"
