"""Address scenarios of the benchmark (issue 17), run by bench.py: IPv6
start with and without DAD (ours and IPaddr2, both with nodad too), what
conflict_check adds to an IPv4 start, and a dual-stack start next to an
IPv4 one. Each round runs the variants in turn, each from a stopped
resource; medians go into the table."""
import csv
import os
import statistics

VIP6 = "2001:db8:51::10/64"
NODE6, PEER6 = "2001:db8:51::1/64", "2001:db8:51::2/64"


def setup(b, sh, node, peer):
    for ns, addr in ((node, NODE6), (peer, PEER6)):
        sh("ip", "-n", ns, "addr", "add", addr, "dev", "eth0", "nodad", check=False)


def run(b, sh, node, peer):
    setup(b, sh, node, peer)
    v4 = b.params("ours")["ip"]
    variants = {
        "v6_dad": ("ours", {"ip": VIP6, "arp_count": "1"}),
        "v6_nodad": ("ours", {"ip": VIP6, "arp_count": "1", "nodad": "true"}),
        "ipaddr2_v6_dad": ("ipaddr2", {"ip": VIP6}),
        "ipaddr2_v6_nodad": ("ipaddr2", {"ip": VIP6, "nodad": "true"}),
        "v4": ("ours", {"ip": v4, "arp_count": "1"}),
        "v4_conflict_check": ("ours", {"ip": v4, "arp_count": "1", "conflict_check": "true"}),
        "dual": ("ours", {"ip": f"{v4} {VIP6}", "arp_count": "1"}),
        "dual_nodad": ("ours", {"ip": f"{v4} {VIP6}", "arp_count": "1", "nodad": "true"}),
    }
    for r in range(b.a.start_rounds):
        for name, (who, extra) in variants.items():
            b.down()
            params = b.params(who, **extra) if who == "ours" else ipaddr2_params(extra)
            rc, wall, _, _, err = b.call(who, "start", params=params)
            if rc != 0:
                raise SystemExit(f"{name} start returned {rc}: {err}")
            b.record("addresses", name, r, "start_ms", wall * 1e3)
            rc, _, _, _, err = b.call(who, "stop", params=params)
            if rc != 0:
                raise SystemExit(f"{name} stop returned {rc}: {err}")
    b.down()


def ipaddr2_params(extra):
    addr, pre = extra["ip"].split("/")
    p = {"ip": addr, "cidr_netmask": pre, "nic": "eth0"}
    p.update({k: v for k, v in extra.items() if k != "ip"})
    return p


def rows(b, fmt):
    """The table's rows for these scenarios."""
    med = lambda name: b.med("addresses", name, "start_ms")
    paired = [c - p for c, p in zip(b.values("addresses", "v4_conflict_check", "start_ms"),
                                    b.values("addresses", "v4", "start_ms"))]
    added = statistics.median(paired) if paired else None
    n = len(b.values("addresses", "v4", "start_ms"))
    return [
        f"| 7 | IPv6 start, arp_count=1, with DAD / nodad (n={n}) | {fmt(med('v6_dad'))} / "
        f"{fmt(med('v6_nodad'))} | - | IPaddr2 alone: {fmt(med('ipaddr2_v6_dad'))} / "
        f"{fmt(med('ipaddr2_v6_nodad'))} | - | - | - |",
        f"| 7 | IPv4 start, arp_count=1, without / with conflict_check (200 ms window) | "
        f"{fmt(med('v4'))} / {fmt(med('v4_conflict_check'))} (+{fmt(added)}, median of paired "
        f"rounds) | - | - | - | - | - |",
        f"| 7 | dual-stack start (IPv4 + IPv6), with DAD / nodad | {fmt(med('dual'))} / "
        f"{fmt(med('dual_nodad'))} | - | - | - | - | - |",
    ]


def summary(b, out):
    """With --only addresses: the raw numbers and these rows alone."""
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "raw.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["scenario", "contender", "round", "metric", "value"])
        w.writerows(b.rows)
    fmt = lambda v: "-" if v is None else f"{v:.1f} ms"
    head = ["| # | metric | ocf:croit:container | croit shell agent | heartbeat | floor | ratio | target |",
            "|---|---|---|---|---|---|---|---|"]
    table = "\n".join(head + rows(b, fmt)) + "\n"
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write(table)
    return table
