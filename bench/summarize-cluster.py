# SPDX-License-Identifier: MIT
"""Turns bench/compare-cluster.sh's raw figures into its markdown table.

Input: TSV lines "round metric setup value ok". Each cell is the median
(min-max) over the rounds; the last column is cluster/memory, computed per
round, then its median (min-max)."""
import sys

from summarize import read, spread   # the same TSV and cells as bench/compare-nchan.sh's table

ROWS = [
    ("sse1000_ms", "one publish -> 1000 SSE streams all received it", "ms"),
    ("sse5000_ms", "one publish -> 5000 SSE streams all received it", "ms"),
    ("latency_p50", "one publish -> one SSE reader, p50", "ms"),
    ("latency_p99", "one publish -> one SSE reader, p99", "ms"),
]
SETUPS = ("memory", "redis", "cluster")
HEADINGS = ("one node, memory broker", "one node, Redis broker", "3 nodes + Redis + nginx")


def main():
    figures, _ = read(sys.argv[1])
    print(f"| workload | unit | {' | '.join(HEADINGS)} | cluster / memory |")
    print("| --- | --- |" + " --- |" * (len(SETUPS) + 1))
    for metric, what, unit in ROWS:
        cells = [spread(list(figures.get((metric, s), {}).values()))[0] for s in SETUPS]
        ours, base = figures.get((metric, "cluster"), {}), figures.get((metric, "memory"), {})
        ratios = [ours[r] / base[r] if ours.get(r) and base.get(r) else None for r in ours]
        print(f"| {what} | {unit} | {' | '.join(cells)} | {spread(ratios)[0]} |")
    print()
    print("Medians (min–max) over the rounds; the ratio is taken per round, then its median (min–max).")
    print("Cluster: streams through nginx (round-robin over the nodes), the publish on node A directly;")
    print("latency: published on node A, read on node B directly. Redis setups: one publish is answered")
    print("once the publishing node has read its event back from Redis.")


if __name__ == "__main__":
    main()
