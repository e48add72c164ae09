# SPDX-License-Identifier: MIT
"""Turns bench/compare-nchan.sh's raw figures into its markdown table.

Input: TSV lines "round metric server value ok". Each cell is the median
(min-max) over the rounds; the ratio column is rndimg/nchan computed per
round, then its median (min-max). Targets are those of issue 29."""
import statistics
import sys
from collections import defaultdict

# metric, what, unit, target: (kind, limit); kind "ratio<=", "ratio>=", "rndimg<="
ROWS = [
    ("poll1000_ms", "one publish -> 1000 held long-polls all answered", "ms", None),
    ("poll5000_ms", "one publish -> 5000 held long-polls all answered", "ms", ("ratio<=", 0.5)),
    ("sse1000_ms", "one publish -> 1000 SSE streams all received it", "ms", None),
    ("sse5000_ms", "one publish -> 5000 SSE streams all received it", "ms", None),
    ("poll_scaling", "long-poll: 5000 clients cost x 1000 clients", "x", ("rndimg<=", 5.5)),
    ("sse_scaling", "SSE: 5000 clients cost x 1000 clients", "x", ("rndimg<=", 5.5)),
    ("rate_deliveries", "1000 SSE streams, 4 publishers as fast as they can", "deliveries/s", ("ratio>=", 1.5)),
    ("latency_p50", "one publish -> one SSE reader, p50 of 1000", "ms", ("ratio<=", 0.8)),
    ("latency_p99", "one publish -> one SSE reader, p99 of 1000", "ms", None),
    ("poll1000_bytes", "memory per held long-poll, 1000 held", "bytes", ("rndimg<=", 8192)),
    ("poll5000_bytes", "memory per held long-poll, 5000 held", "bytes", ("rndimg<=", 8192)),
    ("sse1000_bytes", "memory per SSE stream, 1000 open", "bytes", ("rndimg<=", 8192)),
    ("sse5000_bytes", "memory per SSE stream, 5000 open", "bytes", ("rndimg<=", 8192)),
    ("json_rps", "`GET /rndimg` vs nginx `return 200`, keep-alive, wrk -c50", "req/s", ("ratio>=", 0.5)),
    ("static_rps", "`GET /static/img/023.png` vs nginx static, keep-alive, wrk -c50", "req/s", ("ratio>=", 0.7)),
    ("variant_rps", "a cached variant vs nginx serving its bytes as a file, keep-alive, wrk -c50", "req/s",
     ("ratio>=", 0.7)),
    ("json_rps_rss_before", "server memory at start, a restart with its placeholders kept (nginx: its worker), RSS", "KiB", ("ratio<=", 1.2)),
    ("json_rps_anon_before", "server memory at start, of it anonymous (RssAnon)", "KiB", None),
    ("json_rps_rss_after", "server memory after the `GET /rndimg` wrk run, RSS", "KiB", None),
    ("json_rps_anon_after", "server memory after the `GET /rndimg` wrk run, anonymous", "KiB", None),
    ("variant_rps_rss_before", "server memory after its first render (a 200x200 JPEG; nginx: its worker), RSS", "KiB", None),
    ("variant_rps_anon_before", "server memory after its first render, anonymous", "KiB", None),
]
SERVERS = ("rndimg", "nchan")
# Rows of the floor (bench/latency-floor.c: a server doing nothing but its
# system calls), in the rndimg column: what no server can beat here.
FLOOR_ROWS = [
    ("latency_p50", "the floor (bench/latency-floor.c) -> one SSE reader, p50 of 1000", "ms"),
]


def read(path):
    """{(metric, server): {round: value}}, bad rounds as None; connection kinds."""
    figures = defaultdict(dict)
    connections = defaultdict(set)
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            round_, metric, server, value, ok = line.rstrip("\n").split("\t")
            if metric == "publish_connection":
                connections[server].add(value)
                continue
            good = ok == "1" and value not in ("", "nan", "inf", "-nan")
            figures[(metric, server)][round_] = float(value) if good else None
    return figures, connections


def add_scaling(figures):
    """Per round: time for 5000 clients / time for 1000."""
    for transport in ("poll", "sse"):
        for server in SERVERS:
            small = figures.get((f"{transport}1000_ms", server), {})
            large = figures.get((f"{transport}5000_ms", server), {})
            if not large:
                continue
            figures[(f"{transport}_scaling", server)] = {
                r: large[r] / small[r] if large.get(r) and small.get(r) else None for r in large
            }


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
        return "failed", None
    text = f"{number(statistics.median(good))} ({number(min(good))}–{number(max(good))})"
    if len(good) < len(values):
        text += f" ⚠ {len(values) - len(good)} of {len(values)} rounds failed or lost events"
    return text, statistics.median(good)


def ratios(figures, metric, server="rndimg"):
    ours, theirs = figures.get((metric, server), {}), figures.get((metric, "nchan"), {})
    return [ours[r] / theirs[r] if ours.get(r) and theirs.get(r) else None for r in ours]


def verdict(target, ours, ratio):
    if target is None:
        return ""
    kind, limit = target
    value = ours if kind == "rndimg<=" else ratio
    wanted = f"{kind[:-2]} {'≤' if kind.endswith('<=') else '≥'} {number(limit)}"
    if value is None:
        return f"{wanted}: ?"
    met = value <= limit if kind.endswith("<=") else value >= limit
    return f"{wanted}: {'met' if met else 'not met'}"


def table(figures):
    print("| workload | unit | rndimg | nginx+nchan | rndimg / nchan | target |")
    print("| --- | --- | --- | --- | --- | --- |")
    for metric, what, unit, target in ROWS:
        if not any((metric, server) in figures for server in SERVERS):
            continue   # not measured in this run (--only)
        ours_text, ours = spread(list(figures.get((metric, "rndimg"), {}).values()))
        theirs_text, _ = spread(list(figures.get((metric, "nchan"), {}).values()))
        ratio_text, ratio = spread(ratios(figures, metric))
        print(f"| {what} | {unit} | {ours_text} | {theirs_text} | {ratio_text} | {verdict(target, ours, ratio)} |")
    for metric, what, unit in FLOOR_ROWS:
        if (metric, "floor") not in figures:
            continue
        floor_text, _ = spread(list(figures[(metric, "floor")].values()))
        theirs_text, _ = spread(list(figures.get((metric, "nchan"), {}).values()))
        ratio_text, _ = spread(ratios(figures, metric, "floor"))
        print(f"| {what} | {unit} | {floor_text} | {theirs_text} | {ratio_text} | (no server does less) |")


def main():
    figures, connections = read(sys.argv[1])
    add_scaling(figures)
    table(figures)
    print()
    print("Medians (min–max) over the rounds; the ratio is taken per round, then its median (min–max).")
    print("Ratio > 1: rndimg's figure is the larger (slower for ms, faster for req/s and deliveries/s).")
    kinds = "; ".join(f"{s}: {', '.join(sorted(connections[s]))}" for s in SERVERS if connections[s])
    print(f"Publish connections ({kinds}): kept alive when the server keeps them, else one per publish.")


if __name__ == "__main__":
    main()
