#!/usr/bin/env python3
"""Side-by-side benchmark of ocf:croit:container against croit's shell agent
and the stock pair (ocf:heartbeat:docker + ocf:heartbeat:IPaddr2).

Run through bench/run.sh, which provides the dockerd, the image and the
release builds. Every contender is run through the same scenarios in turn
(A B C A B C ...), on the same machine, in the same run; the table reports
medians and ratios. Nothing here is a pass/fail test.
"""
import argparse
import ctypes
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import addresses
import report
import scale

NODE, PEER = "cb-node", "cb-peer"
NODE_MAC = "02:cb:00:00:00:01"
VIP, PREFIX = "198.51.100.10", 24
NIC = "eth0"
CONTAINER = "croit"  # croit's agent has the name hard-coded
IMAGE = "croit-test/busybox:latest"
MARKER_DIR = "/var/tmp/croit-bench"
OCF_ROOT = "/usr/lib/ocf"
HEARTBEAT = OCF_ROOT + "/resource.d/heartbeat"
CLONE_NEWNET = 0x40000000


def sh(*args, check=True, **kw):
    r = subprocess.run(list(args), capture_output=True, text=True, **kw)
    if check and r.returncode != 0:
        sys.exit(f"{' '.join(args)} failed ({r.returncode}): {r.stdout}{r.stderr}")
    return r


def enter_netns(name):
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(f"/run/netns/{name}", os.O_RDONLY)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        sys.exit(f"setns {name}: errno {ctypes.get_errno()}")
    os.close(fd)


class Bench:
    def __init__(self, a):
        self.a = a
        self.sock = a.socket
        self.docker_host = "unix://" + a.socket
        self.rows = []  # (scenario, contender, round, metric, value)
        self.base_env = {
            "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "LANG": "C.UTF-8",
            "OCF_ROOT": OCF_ROOT,
            "OCF_RA_VERSION_MAJOR": "1",
            "OCF_RA_VERSION_MINOR": "1",
            "OCF_RESOURCE_INSTANCE": "bench",
            "OCF_RESKEY_CRM_meta_timeout": "20000",
            "DOCKER_HOST": self.docker_host,
        }
        # the docker CLI is what the shell agents call: Debian's, not a newer one in /usr/local
        if os.path.exists("/usr/bin/docker"):
            self.base_env["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin"

    # ---------------------------------------------------------------- calls --
    def params(self, who, ip=f"{VIP}/{PREFIX}", container=CONTAINER, **extra):
        if who == "ours":
            p = {"ip": ip, "nic": NIC, "container": container, "docker_host": self.docker_host}
        elif who == "croit":
            p = {"ip": ip, "nic": NIC}
        elif who == "docker":
            p = {"image": IMAGE, "name": container, "reuse": "true"}
        elif who == "ipaddr2":
            addr, pre = ip.split("/")
            p = {"ip": addr, "cidr_netmask": pre, "nic": NIC}
        else:
            raise ValueError(who)
        p.update(extra)
        return p

    def argv(self, who):
        return {
            "ours": [self.a.agent],
            "croit": [self.a.croit],
            "docker": [HEARTBEAT + "/docker"],
            "ipaddr2": [HEARTBEAT + "/IPaddr2"],
        }[who]

    def env(self, who, action, params, recurring):
        e = dict(self.base_env)
        for k, v in params.items():
            e["OCF_RESKEY_" + k] = v
        if action == "monitor" and recurring:
            e["OCF_RESKEY_CRM_meta_interval"] = "10000"
        return e

    def spawn(self, who, action, params=None, recurring=True, prefix=()):
        params = params if params is not None else self.params(who)
        return subprocess.Popen(
            list(prefix) + self.argv(who) + [action],
            env=self.env(who, action, params, recurring),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def call(self, who, action, params=None, recurring=True, prefix=()):
        """Runs one action; returns (rc, wall s, cpu s, maxrss KiB, stderr)."""
        t0 = time.perf_counter()
        p = self.spawn(who, action, params, recurring, prefix)
        err = p.stderr.read()
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        return p.returncode, wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss, err.decode(errors="replace")

    def raw(self, method, path):
        t0 = time.perf_counter()
        p = subprocess.Popen([self.a.raw, self.sock, method, path], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        return p.returncode, time.perf_counter() - t0, ru.ru_utime + ru.ru_stime, ru.ru_maxrss

    def must(self, who, action, **kw):
        rc, wall, cpu, rss, err = self.call(who, action, **kw)
        ok = {"monitor": (0,)}.get(action, (0,))
        if rc not in ok:
            sys.exit(f"{who} {action} returned {rc}: {err}")
        return wall, cpu, rss

    def record(self, scenario, who, rnd, metric, value):
        self.rows.append((scenario, who, rnd, metric, value))

    # ----------------------------------------------------------------- setup --
    def docker(self, *args, check=True):
        return sh("docker", "-H", self.docker_host, *args, check=check)

    def setup(self):
        for ns in (NODE, PEER):
            sh("ip", "netns", "del", ns, check=False)
        sh("ip", "netns", "add", NODE)
        sh("ip", "netns", "add", PEER)
        sh("ip", "link", "add", "eth0", "netns", NODE, "address", NODE_MAC, "type", "veth",
           "peer", "name", "eth0", "netns", PEER)
        for ns, addr in ((NODE, "198.51.100.1/24"), (PEER, "198.51.100.2/24")):
            sh("ip", "-n", ns, "link", "set", "lo", "up")
            sh("ip", "-n", ns, "addr", "add", addr, "dev", "eth0")
            sh("ip", "-n", ns, "link", "set", "eth0", "up")
        os.makedirs(MARKER_DIR, exist_ok=True)
        self.docker("rm", "-f", CONTAINER, check=False)
        # PID 1 traps SIGTERM, takes 0.2 s to finish and leaves a marker: a
        # stop that granted the grace period always finds the marker.
        script = ("trap 'echo granted > /marker/term; sleep 0.2; exit 0' TERM; "
                  "while :; do sleep 1 & wait $!; done")
        self.docker("create", "--name", CONTAINER, "--network", "none", "--restart", "no",
                    "--label", "croit-bench", "-v", f"{MARKER_DIR}:/marker", IMAGE, "sh", "-c", script)
        enter_netns(NODE)

    def teardown(self):
        ids = self.docker("ps", "-aq", "--filter", "label=croit-bench", check=False).stdout.split()
        if ids:
            self.docker("rm", "-f", *ids, check=False)
        for ns in (NODE, PEER):
            sh("ip", "netns", "del", ns, check=False)
        sh("rm", "-rf", MARKER_DIR, check=False)

    def down(self):
        """Container stopped, address gone (through our agent, which does both)."""
        self.must("ours", "stop")

    def up(self):
        self.must("ours", "start", params=self.params("ours", arp_count="1"))

    # ------------------------------------------------------------- scenarios --
    def monitor(self):
        n = self.a.rounds
        self.up()
        who_all = ["ours", "croit", "docker", "ipaddr2"]
        for w in who_all:
            rc = self.call(w, "monitor")[0]
            if rc != 0:
                sys.exit(f"{w} monitor of the running resource returned {rc}")
        for r in range(n):
            for w in who_all:
                rc, wall, cpu, rss, err = self.call(w, "monitor")
                self.record("monitor", w, r, "wall_ms", wall * 1e3)
                self.record("monitor", w, r, "cpu_ms", cpu * 1e3)
                self.record("monitor", w, r, "maxrss_kib", rss)
            rc, wall, cpu, rss = self.raw("GET", f"/containers/{CONTAINER}/json")
            self.record("monitor", "raw", r, "wall_ms", wall * 1e3)
            self.record("monitor", "raw", r, "cpu_ms", cpu * 1e3)

    def processes(self):
        """execve calls per action, counted under strace -f."""
        self.down()
        for who in ["ours", "croit", "docker", "ipaddr2"]:
            for action in ["start", "monitor", "stop"]:
                with tempfile.NamedTemporaryFile("r", suffix=".strace") as f:
                    prefix = ["strace", "-f", "-qq", "-e", "trace=execve,execveat", "-o", f.name]
                    params = self.params(who, arp_count="1") if who == "ours" else None
                    rc = self.call(who, action, params=params, prefix=prefix)[0]
                    # a successful exec ends "= 0" (also on a "<... execve resumed>" line)
                    lines = [l for l in f.read().splitlines()
                             if "execve" in l and l.rstrip().endswith("= 0")]
                    self.record("processes", who, 0, action, len(lines))
                    self.record("processes", who, 0, action + "_rc", rc)
        self.down()

    def start_stop(self):
        """Start of a stopped container and stop, with frames seen on the peer."""
        self.down()
        dump = subprocess.Popen(
            ["ip", "netns", "exec", PEER, "tcpdump", "-i", "eth0", "-n", "-e", "-tt", "-l", "-U", "arp"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        mon = subprocess.Popen(["ip", "-ts", "monitor", "address"], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
        frames, addrs = [], []
        t1 = threading.Thread(target=lambda: frames.extend(dump.stdout), daemon=True)
        t2 = threading.Thread(target=lambda: addrs.extend(mon.stdout), daemon=True)
        t1.start()
        t2.start()
        time.sleep(1.5)
        starts = []  # (who, epoch at call)
        marker = os.path.join(MARKER_DIR, "term")
        contenders = ["raw", "ours1", "ours", "croit", "stock"]
        for r in range(self.a.start_rounds):
            for who in contenders:
                if os.path.exists(marker):
                    os.unlink(marker)
                at = time.time()
                if who == "raw":
                    rc, wall, cpu, _ = self.raw("POST", f"/containers/{CONTAINER}/start")
                elif who in ("ours", "ours1"):
                    params = self.params("ours", arp_count="1") if who == "ours1" else None
                    rc, wall, cpu, _, _ = self.call("ours", "start", params=params)
                elif who == "croit":
                    rc, wall, cpu, _, _ = self.call("croit", "start")
                else:  # the stock group: address first, then the container
                    rc, w1, c1, _, _ = self.call("ipaddr2", "start")
                    rc2, w2, c2, _, _ = self.call("docker", "start")
                    rc, wall, cpu = rc or rc2, w1 + w2, c1 + c2
                self.record("start", who, r, "wall_ms", wall * 1e3)
                self.record("start", who, r, "rc", rc)
                starts.append((who, at))
                # all 5 rounds (800 ms) on the wire before the stop: ours and
                # IPaddr2 send the later ones in the background
                time.sleep(1.0)
                # stop (the raw start is undone by the raw API too)
                if who == "raw":
                    rc, wall, cpu, _ = self.raw("POST", f"/containers/{CONTAINER}/stop?t=10")
                elif who in ("ours", "ours1"):
                    rc, wall, cpu, _, _ = self.call("ours", "stop")
                elif who == "croit":
                    rc, wall, cpu, _, _ = self.call("croit", "stop")
                else:
                    rc, w1, c1, _, _ = self.call("docker", "stop")
                    rc2, w2, c2, _, _ = self.call("ipaddr2", "stop")
                    rc, wall, cpu = rc or rc2, w1 + w2, c1 + c2
                self.record("stop", who, r, "wall_ms", wall * 1e3)
                self.record("stop", who, r, "rc", rc)
                self.record("stop", who, r, "grace_granted", 1 if os.path.exists(marker) else 0)
                self.down()  # whatever the contender left
                time.sleep(1.2)  # let trailing announcements end before the next start
        time.sleep(1)
        dump.terminate()
        mon.terminate()
        dump.wait()
        mon.wait()
        t1.join(2)
        t2.join(2)
        ftimes = []
        for l in frames:
            parts = l.split()
            try:
                t = float(parts[0])
            except (ValueError, IndexError):
                continue
            if parts[1].lower() == NODE_MAC and VIP in l:
                ftimes.append(t)
        btimes = []
        for l in addrs:
            if l.startswith("[") and "Deleted" not in l and f"inet {VIP}/" in l:
                btimes.append(ip_ts(l))
        for i, (who, at) in enumerate(starts):
            nxt = starts[i + 1][1] if i + 1 < len(starts) else float("inf")
            f = next((t for t in ftimes if at <= t < nxt), None)
            b = next((t for t in btimes if at <= t < nxt), None)
            if who == "raw":
                continue
            self.record("frames", who, i, "call_to_first_frame_ms", (f - at) * 1e3 if f else None)
            self.record("frames", who, i, "bound_to_first_frame_ms",
                        (f - b) * 1e3 if (f and b) else None)
            self.record("frames", who, i, "frames_seen",
                        sum(1 for t in ftimes if at <= t < nxt))

    def peak_rss(self, argv, env=None):
        """Peak RSS in KiB by GNU time: a child forked from this Python process
        would carry Python's high-water mark (about 15 MiB) into ru_maxrss."""
        with tempfile.NamedTemporaryFile("r", suffix=".rss") as f:
            subprocess.run(["/usr/bin/time", "-f", "%M", "-o", f.name] + argv, env=env,
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=False)
            return int(f.read().strip().splitlines()[-1])

    def memory(self):
        self.down()
        params = self.params("ours", arp_count="1")
        for r in range(5):
            for action in ["start", "monitor", "stop"]:
                rss = self.peak_rss(self.argv("ours") + [action],
                                    self.env("ours", action, params, True))
                self.record("memory", "ours", r, action + "_maxrss_kib", rss)
            self.record("memory", "floor", r, "true_maxrss_kib", self.peak_rss(["/bin/true"]))
        self.record("memory", "ours", 0, "binary_bytes", os.path.getsize(self.a.agent))
        # start of a running resource: everything start does except the
        # engine's own start (checks, bind, one announcement round, readiness)
        self.up()
        for r in range(self.a.start_rounds):
            rc, wall, _, _, err = self.call("ours", "start", params=params)
            if rc != 0:
                sys.exit(f"start of the running resource returned {rc}: {err}")
            self.record("start", "ours_running", r, "wall_ms", wall * 1e3)
        self.down()

    # ---------------------------------------------------------------- report --
    def values(self, scenario, who, metric):
        return [v for s, w, _, m, v in self.rows if s == scenario and w == who and m == metric
                and v is not None]

    def med(self, scenario, who, metric):
        v = self.values(scenario, who, metric)
        return statistics.median(v) if v else None

def ip_ts(line):
    """[2026-11-23T05:30:24.789029] ... -> epoch seconds (local time)."""
    s = line[1:line.index("]")]
    return time.mktime(time.strptime(s.split(".")[0], "%Y-%m-%dT%H:%M:%S")) + float("0." + s.split(".")[1])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--agent", required=True)
    p.add_argument("--raw", required=True)
    p.add_argument("--croit", required=True)
    p.add_argument("--socket", required=True)
    p.add_argument("--exec-root", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--rounds", type=int, default=60)
    p.add_argument("--start-rounds", type=int, default=15)
    p.add_argument("--scale-n", type=int, default=200)
    p.add_argument("--scale-seconds", type=int, default=60)
    p.add_argument("--only", help="run this scenario alone (e.g. addresses)")
    a = p.parse_args()
    b = Bench(a)
    try:
        b.setup()
        for name, fn in [("monitor", b.monitor), ("processes", b.processes), ("start/stop", b.start_stop),
                         ("memory", b.memory), ("scale", lambda: scale.run(b, IMAGE, NIC)),
                         ("addresses", lambda: addresses.run(b, sh, NODE, PEER))]:
            if name == "scale" and a.scale_n == 0:
                continue
            if a.only and name != a.only:
                continue
            print(f"== {name}", file=sys.stderr, flush=True)
            fn()
        print(addresses.summary(b, a.out) if a.only == "addresses" else report.write(b, a.out))
    finally:
        b.teardown()


if __name__ == "__main__":
    main()
