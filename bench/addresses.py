"""Address scenarios of the benchmark (issues 17 and 22), run by bench.py:
IPv6 start with and without DAD (ours and IPaddr2, both with nodad too),
what conflict_check adds to an IPv4 start, and a dual-stack start next to an
IPv4 one; for each of ours, when an IPv4 client is served (the container
started and the first gratuitous ARP on the peer's wire, from the launch of
start), with DAD plain and optimistic (the node's optimistic_dad sysctl).
Each round runs the variants in turn, each from a stopped resource; medians
go into the table."""
import csv
import os
import statistics
import subprocess
import threading
import time
from datetime import datetime, timezone

VIP6 = "2001:db8:51::10/64"
NODE6, PEER6 = "2001:db8:51::1/64", "2001:db8:51::2/64"


def setup(b, sh, node, peer):
    for ns, addr in ((node, NODE6), (peer, PEER6)):
        sh("ip", "-n", ns, "addr", "add", addr, "dev", "eth0", "nodad", check=False)


OPTIMISTIC = "/proc/sys/net/ipv6/conf/eth0/optimistic_dad"  # bench.py runs in the node's netns


class Wire:
    """ARP and ICMPv6 arriving on the peer, with the kernel's epoch stamps."""

    def __init__(self, peer):
        self.p = subprocess.Popen(
            ["ip", "netns", "exec", peer, "tcpdump", "-Z", "root", "-i", "eth0", "-n", "-tt", "-l",
             "-U", "arp or icmp6"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.lines = []
        threading.Thread(target=lambda: self.lines.extend(self.p.stdout), daemon=True).start()
        time.sleep(1.5)

    def first(self, since, needle):
        """When the first frame containing `needle` arrived after `since` (epoch s)."""
        for _ in range(40):  # the line may still be on its way from tcpdump
            for line in list(self.lines):
                try:
                    at = float(line.split()[0])
                except (ValueError, IndexError):
                    continue
                if at >= since and needle in line:
                    return at
            time.sleep(0.025)
        return None

    def close(self):
        self.p.terminate()
        self.p.wait()


def started_at(b):
    """The container's State.StartedAt as epoch seconds."""
    text = b.docker("inspect", "-f", "{{.State.StartedAt}}", "croit").stdout.strip()
    whole, _, frac = text.rstrip("Z").partition(".")
    t = datetime.strptime(whole, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc).timestamp()
    return t + float("0." + (frac or "0"))


def run(b, sh, node, peer):
    setup(b, sh, node, peer)
    v4 = b.params("ours")["ip"]
    addr4, addr6 = v4.split("/")[0], VIP6.split("/")[0]
    wire = Wire(peer)
    optimistic = {"dual_optimistic", "v6_optimistic"}
    variants = {
        "v6_dad": ("ours", {"ip": VIP6, "arp_count": "1"}),
        "v6_nodad": ("ours", {"ip": VIP6, "arp_count": "1", "nodad": "true"}),
        "ipaddr2_v6_dad": ("ipaddr2", {"ip": VIP6}),
        "ipaddr2_v6_nodad": ("ipaddr2", {"ip": VIP6, "nodad": "true"}),
        "v4": ("ours", {"ip": v4, "arp_count": "1"}),
        "v4_conflict_check": ("ours", {"ip": v4, "arp_count": "1", "conflict_check": "true"}),
        "dual": ("ours", {"ip": f"{v4} {VIP6}", "arp_count": "1"}),
        "dual_nodad": ("ours", {"ip": f"{v4} {VIP6}", "arp_count": "1", "nodad": "true"}),
        "v6_optimistic": ("ours", {"ip": VIP6, "arp_count": "1"}),
        "dual_optimistic": ("ours", {"ip": f"{v4} {VIP6}", "arp_count": "1"}),
    }
    try:
        for r in range(b.a.start_rounds):
            for name, (who, extra) in variants.items():
                b.down()
                with open(OPTIMISTIC, "w") as f:
                    f.write("1" if name in optimistic else "0")
                params = b.params(who, **extra) if who == "ours" else ipaddr2_params(extra)
                at = time.time()
                rc, wall, _, _, err = b.call(who, "start", params=params)
                if rc != 0:
                    raise SystemExit(f"{name} start returned {rc}: {err}")
                b.record("addresses", name, r, "start_ms", wall * 1e3)
                if who == "ours":
                    up = started_at(b) - at
                    if "ip" in extra and addr4 in extra["ip"]:
                        garp = wire.first(at, f"Reply {addr4} is-at")
                        if garp is not None:
                            b.record("addresses", name, r, "v4_served_ms", max(up, garp - at) * 1e3)
                    if addr6 in extra["ip"]:
                        na = wire.first(at, f"tgt is {addr6}")
                        if na is not None:
                            b.record("addresses", name, r, "v6_served_ms", max(up, na - at) * 1e3)
                rc, _, _, _, err = b.call(who, "stop", params=params)
                if rc != 0:
                    raise SystemExit(f"{name} stop returned {rc}: {err}")
    finally:
        with open(OPTIMISTIC, "w") as f:
            f.write("0")
        wire.close()
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
    served = lambda name, fam="v4": b.med("addresses", name, f"{fam}_served_ms")

    def over_v4(name):
        d = [x - y for x, y in zip(b.values("addresses", name, "v4_served_ms"),
                                   b.values("addresses", "v4", "v4_served_ms"))]
        return statistics.median(d) if d else None

    window_cost = None if added is None else added - 200.0
    return [
        f"| 7 | IPv4 client served (container started and first gratuitous ARP on the peer, from "
        f"launch): IPv4 alone / dual stack with DAD / with optimistic DAD / nodad | "
        f"{fmt(served('v4'))} / {fmt(served('dual'))} (+{fmt(over_v4('dual'))}) / "
        f"{fmt(served('dual_optimistic'))} (+{fmt(over_v4('dual_optimistic'))}) / "
        f"{fmt(served('dual_nodad'))} (+{fmt(over_v4('dual_nodad'))}) | - | - | - | - | "
        f"+50 ms where the design allows it |",
        f"| 7 | IPv6 client served (container started and first NA): IPv6 alone with DAD / "
        f"optimistic / nodad; dual with DAD / optimistic | {fmt(served('v6_dad', 'v6'))} / "
        f"{fmt(served('v6_optimistic', 'v6'))} / {fmt(served('v6_nodad', 'v6'))}; "
        f"{fmt(served('dual', 'v6'))} / {fmt(served('dual_optimistic', 'v6'))} | - | - | - | - | - |",
        f"| 7 | IPv6 start with optimistic DAD (optimistic_dad=1), arp_count=1 | "
        f"{fmt(med('v6_optimistic'))} | - | - | - | - | - |",
        f"| 7 | conflict_check's cost over its 200 ms window (paired) | {fmt(window_cost)} | - | - "
        f"| - | - | under 30 ms |",
        f"| 7 | IPv6 start, arp_count=1, with DAD / nodad (n={n}) | {fmt(med('v6_dad'))} / "
        f"{fmt(med('v6_nodad'))} | - | IPaddr2 alone: {fmt(med('ipaddr2_v6_dad'))} / "
        f"{fmt(med('ipaddr2_v6_nodad'))} | - | - | - |",
        f"| 7 | IPv4 start, arp_count=1, without / with conflict_check (200 ms window) | "
        f"{fmt(med('v4'))} / {fmt(med('v4_conflict_check'))} (+{fmt(added)}, median of paired "
        f"rounds) | - | - | - | - | - |",
        f"| 7 | dual-stack start (IPv4 + IPv6), with DAD / optimistic DAD / nodad | "
        f"{fmt(med('dual'))} / {fmt(med('dual_optimistic'))} / "
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
