# SPDX-License-Identifier: MIT
"""Turns bench/cluster.sh's raw figures into its markdown table.

Input: TSV lines "round metric setup value ok". Each cell is the median
(min-max) over the rounds; the last column is cluster/memory, computed per
round, then its median (min-max)."""
import statistics
import sys
from collections import defaultdict

ROWS = [
    ("sse1000_ms", "one publish -> 1000 SSE streams all received it", "ms"),
    ("sse5000_ms", "one publish -> 5000 SSE streams all received it", "ms"),
    ("latency_p50", "one publish -> one SSE reader, p50", "ms"),
    ("latency_p99", "one publish -> one SSE reader, p99", "ms"),
]
SETUPS = ("memory", "redis", "cluster")
HEADINGS = ("one node, memory broker", "one node, Redis broker", "3 nodes + Redis + nginx")


def read(path):
    """{(metric, setup): {round: value}}, bad rounds as None."""
    figures = defaultdict(dict)
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            round_, metric, setup, value, ok = line.rstrip("\n").split("\t")
            good = ok == "1" and value not in ("", "nan", "inf", "-nan")
            figures[(metric, setup)][round_] = float(value) if good else None
    return figures


def number(value):
    if value >= 1000:
        return f"{value:,.0f}".replace(",", " ")
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}" if value < 1 else f"{value:.2f}"


def spread(values):
    good = [v for v in values if v is not None]
    if not good:
        return "failed"
    text = f"{number(statistics.median(good))} ({number(min(good))}–{number(max(good))})"
    if len(good) < len(values):
        text += f" ⚠ {len(values) - len(good)} of {len(values)} rounds failed or lost events"
    return text


def main():
    figures = read(sys.argv[1])
    print(f"| workload | unit | {' | '.join(HEADINGS)} | cluster / memory |")
    print("| --- | --- |" + " --- |" * (len(SETUPS) + 1))
    for metric, what, unit in ROWS:
        cells = [spread(list(figures.get((metric, s), {}).values())) for s in SETUPS]
        ours, base = figures.get((metric, "cluster"), {}), figures.get((metric, "memory"), {})
        ratios = [ours[r] / base[r] if ours.get(r) and base.get(r) else None for r in ours]
        print(f"| {what} | {unit} | {' | '.join(cells)} | {spread(ratios)} |")
    print()
    print("Medians (min–max) over the rounds; the ratio is taken per round, then its median (min–max).")
    print("Cluster: streams through nginx (round-robin over the nodes), the publish on node A directly;")
    print("latency: published on node A, read on node B directly. Redis setups: one publish is answered")
    print("once the publishing node has read its event back from Redis.")


if __name__ == "__main__":
    main()
