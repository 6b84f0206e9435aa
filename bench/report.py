"""The benchmark's report, written by bench.py: the raw numbers (raw.csv), the
markdown table of medians and ratios (returned, and results.md) and a chart of
the headline ratios (chart.svg)."""
import csv
import os
import statistics
import time

import addresses


def write(b, out):
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "raw.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["scenario", "contender", "round", "metric", "value"])
        w.writerows(b.rows)
    # the stock pair: both agents, per round
    stock_wall = [a + b for a, b in zip(b.values("monitor", "docker", "wall_ms"),
                                        b.values("monitor", "ipaddr2", "wall_ms"))]
    stock_cpu = [a + b for a, b in zip(b.values("monitor", "docker", "cpu_ms"),
                                       b.values("monitor", "ipaddr2", "cpu_ms"))]
    m = {
        "ours_wall": b.med("monitor", "ours", "wall_ms"),
        "ours_cpu": b.med("monitor", "ours", "cpu_ms"),
        "croit_wall": b.med("monitor", "croit", "wall_ms"),
        "croit_cpu": b.med("monitor", "croit", "cpu_ms"),
        "stock_wall": statistics.median(stock_wall),
        "stock_cpu": statistics.median(stock_cpu),
        "raw_wall": b.med("monitor", "raw", "wall_ms"),
        "raw_cpu": b.med("monitor", "raw", "cpu_ms"),
    }
    r_croit = m["croit_wall"] / m["ours_wall"]
    r_stock = m["stock_wall"] / m["ours_wall"]
    rc_croit = m["croit_cpu"] / m["ours_cpu"] if m["ours_cpu"] else None
    rc_stock = m["stock_cpu"] / m["ours_cpu"] if m["ours_cpu"] else None

    def mark(ok):
        return "**met**" if ok else "**missed**"

    def fmt(v, unit="ms", nd=1):
        return "-" if v is None else f"{v:.{nd}f} {unit}".strip()

    procs = {}
    for who in ["ours", "croit", "docker", "ipaddr2"]:
        for a in ["start", "monitor", "stop"]:
            v = b.values("processes", who, a)
            procs[(who, a)] = v[0] if v else None
    stock_procs = {a: (procs[("docker", a)] or 0) + (procs[("ipaddr2", a)] or 0)
                   for a in ["start", "monitor", "stop"]}
    ours_one = all(procs[("ours", a)] == 1 for a in ["start", "monitor", "stop"])
    raw_start = b.med("start", "raw", "wall_ms")
    ours1_start = b.med("start", "ours1", "wall_ms")
    # per round, each start next to the raw start just before it
    pairs = [o - r for o, r in zip(b.values("start", "ours1", "wall_ms"),
                                   b.values("start", "raw", "wall_ms"))]
    added = statistics.median(pairs) if pairs else None
    # the engine's own start varies by tens of ms: show the spread too
    q = statistics.quantiles(pairs, n=4) if len(pairs) >= 4 else None
    spread = f", IQR {q[0]:.1f} to {q[2]:.1f} ms" if q else ""
    running = b.med("start", "ours_running", "wall_ms")
    bf = b.med("frames", "ours1", "bound_to_first_frame_ms")
    bf5 = b.med("frames", "ours", "bound_to_first_frame_ms")
    rss = max(b.values("memory", "ours", "start_maxrss_kib")
              + b.values("memory", "ours", "monitor_maxrss_kib")
              + b.values("memory", "ours", "stop_maxrss_kib")) / 1024
    rss_floor = max(b.values("memory", "floor", "true_maxrss_kib")) / 1024
    size = b.values("memory", "ours", "binary_bytes")[0] / 1e6
    sc_ours = b.med("scale", "ours", "agent_core_pct")
    sc_croit = b.med("scale", "croit", "agent_core_pct")
    rounds = len(b.values("monitor", "ours", "wall_ms"))
    sr = b.a.start_rounds

    def grace(who):
        v = b.values("stop", who, "grace_granted")
        return f"{sum(v)}/{len(v)}"

    L = []
    L.append(f"Benchmark {time.strftime('%Y-%m-%d %H:%M:%S')} on {os.uname().nodename}, "
             f"{os.cpu_count()} CPUs; medians; contenders alternate each round.\n")
    L.append("| # | metric | ocf:croit:container | croit shell agent | heartbeat docker + IPaddr2 | floor | ratio | target |")
    L.append("|---|---|---|---|---|---|---|---|")
    L.append(f"| 1 | monitor wall, running (n={rounds}) | {fmt(m['ours_wall'], nd=2)} | {fmt(m['croit_wall'])} | "
             f"{fmt(m['stock_wall'])} | raw GET {fmt(m['raw_wall'], nd=2)} | {r_croit:.0f}x vs croit, {r_stock:.0f}x vs stock | "
             f">=25x {mark(r_croit >= 25)}, >=40x {mark(r_stock >= 40)} |")
    L.append(f"| 1 | monitor CPU (user+sys, whole process tree) | {fmt(m['ours_cpu'], nd=2)} | {fmt(m['croit_cpu'])} | "
             f"{fmt(m['stock_cpu'])} | raw GET {fmt(m['raw_cpu'], nd=2)} | "
             f"{rc_croit:.0f}x vs croit, {rc_stock:.0f}x vs stock | - |" if rc_croit else "| 1 | monitor CPU | - | - | - | - | - | - |")
    for a in ["start", "monitor", "stop"]:
        L.append(f"| 2 | processes (execve) per {a} | {procs[('ours', a)]} | {procs[('croit', a)]} | "
                 f"{stock_procs[a]} ({procs[('docker', a)]} + {procs[('ipaddr2', a)]}) | - | - | "
                 f"exactly 1 {mark(procs[('ours', a)] == 1)} |")
    L.append(f"| 3 | start of a stopped container, arp_count=1 (n={sr}) | {fmt(ours1_start)} | - | - | "
             f"raw API start {fmt(raw_start)} | {fmt(added)} over raw (median of paired rounds{spread}) | "
             f"<=5 ms {mark(added is not None and added <= 5)} |")
    L.append(f"| 3 | start of the running resource, arp_count=1: all of start but the engine's start "
             f"(n={sr}) | {fmt(running, nd=2)} | - | - | raw GET {fmt(m['raw_wall'], nd=2)} | - | - |")
    # defaults: 5 rounds 200 ms apart; ours returns after the first, the
    # background announcer sends the other four
    pairs5 = [o - r for o, r in zip(b.values("start", "ours", "wall_ms"),
                                    b.values("start", "raw", "wall_ms"))]
    added5 = statistics.median(pairs5) if pairs5 else None
    seen5 = b.values("frames", "ours", "frames_seen")
    L.append(f"| 3 | start, defaults (5 announcement rounds 200 ms apart; ours returns after the first, "
             f"the other 4 from its background announcer) (n={sr}) | "
             f"{fmt(b.med('start', 'ours', 'wall_ms'))} | {fmt(b.med('start', 'croit', 'wall_ms'))} | "
             f"{fmt(b.med('start', 'stock', 'wall_ms'))} | raw API start {fmt(raw_start)} | "
             f"{fmt(added5)} over raw (median of paired rounds) | "
             f"<=30 ms {mark(added5 is not None and added5 <= 30)} |")
    L.append(f"| 3 | ARP frames on the peer per start with the defaults (5 rounds of request + reply) | "
             f"{min(seen5) if seen5 else '-'} to {max(seen5) if seen5 else '-'} | "
             f"{sum(b.values('frames', 'croit', 'frames_seen'))} in all | - | - | - | "
             f"10 every time {mark(bool(seen5) and min(seen5) == 10 and max(seen5) == 10)} |")
    L.append(f"| 3 | start call -> first announcement on the peer | "
             f"{fmt(b.med('frames', 'ours', 'call_to_first_frame_ms'))} | "
             f"{fmt(b.med('frames', 'croit', 'call_to_first_frame_ms'))} (frames: "
             f"{sum(b.values('frames', 'croit', 'frames_seen'))}) | "
             f"{fmt(b.med('frames', 'stock', 'call_to_first_frame_ms'))} | - | - | - |")
    L.append(f"| 3 | address bound -> first frame | {fmt(bf5, nd=2)} (arp_count=1: {fmt(bf, nd=2)}) | "
             f"- | {fmt(b.med('frames', 'stock', 'bound_to_first_frame_ms'), nd=2)} | - | - | "
             f"<=5 ms {mark(bf5 is not None and bf5 <= 5)} |")
    L.append(f"| 4 | stop of a running container (its TERM handler takes 0.2 s) | "
             f"{fmt(b.med('stop', 'ours', 'wall_ms'))} | {fmt(b.med('stop', 'croit', 'wall_ms'))} | "
             f"{fmt(b.med('stop', 'stock', 'wall_ms'))} | raw API stop {fmt(b.med('stop', 'raw', 'wall_ms'))} | - | - |")
    L.append(f"| 4 | grace period granted (TERM marker written) | {grace('ours')} | {grace('croit')} | "
             f"{grace('stock')} | - | - | always |")
    L.append(f"| 5 | peak RSS of one action (start, monitor, stop; GNU time, max of 5 each) | {rss:.1f} MiB | - | - | "
             f"/bin/true {rss_floor:.1f} MiB | - | "
             f"<=8 MiB {mark(rss <= 8)} |")
    L.append(f"| 5 | binary size (stripped release) | {size:.2f} MB | - | - | - | - | - |")
    if sc_ours is not None:
        L.append(f"| 6 | {b.a.scale_n} instances monitored every 10 s for {b.a.scale_seconds} s: "
                 f"agent CPU, % of one core | {sc_ours:.2f} % | {fmt(sc_croit, '%', 2)} | - | - | "
                 f"{sc_croit / sc_ours:.0f}x | <=5 % {mark(sc_ours <= 5)} |")
        L.append(f"| 6 | engine (dockerd + containerd) CPU during it, % of one core | "
                 f"{b.med('scale', 'ours', 'engine_core_pct'):.2f} % | "
                 f"{b.med('scale', 'croit', 'engine_core_pct'):.2f} % | - | - | - | - |")
        L.append(f"| 6 | calls made / non-zero exits | {b.med('scale', 'ours', 'calls'):.0f} / "
                 f"{b.med('scale', 'ours', 'nonzero_exits'):.0f} | {b.med('scale', 'croit', 'calls'):.0f} / "
                 f"{b.med('scale', 'croit', 'nonzero_exits'):.0f} | - | - | - | - |")
    if b.values("addresses", "v4", "start_ms"):
        L.extend(addresses.rows(b, fmt))
    L.append("")
    L.append("croit's agent has the container name `croit` hard-coded: in the scale run its 200 "
             "instances differ by address only and all inspect the one container. Its arping is "
             "given the address with its /prefix and sends nothing (frames column).")
    table = "\n".join(L) + "\n"
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write(table)
    bars = [("monitor wall vs croit", r_croit, 25), ("monitor wall vs stock pair", r_stock, 40)]
    if rc_croit:
        bars += [("monitor CPU vs croit", rc_croit, None), ("monitor CPU vs stock pair", rc_stock, None)]
    if sc_ours:
        bars.append((f"CPU, {b.a.scale_n} instances, vs croit", sc_croit / sc_ours, None))
    with open(os.path.join(out, "chart.svg"), "w") as f:
        f.write(svg(bars))
    return table


def svg(bars):
    """A horizontal bar chart of the headline ratios, log scale, by hand."""
    import math
    w, left, row = 760, 250, 34
    h = 60 + row * len(bars)
    top = max(b[1] for b in bars) * 1.5
    scale = (w - left - 80) / math.log10(top)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="13">',
           f'<rect width="{w}" height="{h}" fill="white"/>',
           f'<text x="10" y="22" font-size="15" font-weight="bold">ocf:croit:container: how many times cheaper (log scale, one run)</text>']
    for i, (label, v, target) in enumerate(bars):
        y = 40 + i * row
        bw = max(2, math.log10(max(v, 1.0001)) * scale)
        out.append(f'<text x="{left - 8}" y="{y + 17}" text-anchor="end">{label}</text>')
        out.append(f'<rect x="{left}" y="{y + 4}" width="{bw:.1f}" height="20" fill="#2b6cb0"/>')
        out.append(f'<text x="{left + bw + 6:.1f}" y="{y + 19}">{v:.0f}x</text>')
        if target:
            tx = left + math.log10(target) * scale
            out.append(f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{y + 1}" y2="{y + 27}" stroke="#c53030" stroke-width="2"/>')
            out.append(f'<text x="{tx + 3:.1f}" y="{y + 35}" font-size="10" fill="#c53030">target {target}x</text>')
    out.append("</svg>\n")
    return "\n".join(out)
