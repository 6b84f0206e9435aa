"""The scale scenario of the benchmark, run by bench.py: n instances, their
monitors spread over each 10 s interval for a while, the agents' and the
engine's CPU measured (ours next to croit's shell agent)."""
import os
import subprocess
import sys
import time


def run(b, image, nic):
    n, secs = b.a.scale_n, b.a.scale_seconds
    # croit's 200 instances all inspect the one container it hard-codes: it runs
    b.up()
    names = [f"cb-s{i}" for i in range(n)]
    ips = [f"10.201.{i // 250}.{i % 250 + 1}/16" for i in range(n)]
    for name in names:
        b.docker("rm", "-f", name, check=False)
    for name in names:
        b.docker("create", "--name", name, "--network", "none", "--label", "croit-bench",
                    image, "sleep", "1000000")
    for i in range(0, n, 50):
        b.docker("start", *names[i:i + 50])
    batch = "".join(f"address add {ip} dev {nic}\n" for ip in ips)
    subprocess.run(["ip", "-force", "-batch", "-"], input=batch, text=True, check=True)
    engine_pids = [p for p in (pidof("dockerd", b.sock), pidof("containerd", b.a.exec_root)) if p]
    for who in ["ours", "croit"]:
        # a probe-free check that every instance is running before timing
        bad = 0
        for i in range(0, n, max(1, n // 10)):
            params = (b.params("ours", ip=ips[i], container=names[i]) if who == "ours"
                      else b.params("croit", ip=ips[i]))
            bad += b.call(who, "monitor", params=params)[0] != 0
        if bad:
            sys.exit(f"{bad} of {who}'s sampled monitors did not return 0 before the scale run")
        eng0 = sum(cpu_ticks(p) for p in engine_pids)
        ru0 = os.times()
        t0 = time.perf_counter()
        calls, cpu_sum, failures = 0, 0.0, 0
        pending = []
        step = 10.0 / n  # n monitors spread over each 10 s interval
        k = 0
        while True:
            due = t0 + k * step
            if due >= t0 + secs:
                break
            now = time.perf_counter()
            if now < due:
                time.sleep(due - now)
            i = k % n
            params = (b.params("ours", ip=ips[i], container=names[i]) if who == "ours"
                      else b.params("croit", ip=ips[i]))
            pending.append(b.spawn(who, "monitor", params=params))
            k += 1
            still = []
            for p in pending:
                if p.poll() is None:
                    still.append(p)
                else:
                    calls += 1
                    failures += p.returncode != 0
            pending = still
        for p in pending:
            p.wait()
            calls += 1
            failures += p.returncode != 0
        wall = time.perf_counter() - t0
        ru1 = os.times()
        cpu = (ru1.children_user - ru0.children_user) + (ru1.children_system - ru0.children_system)
        eng = (sum(cpu_ticks(p) for p in engine_pids) - eng0) / os.sysconf("SC_CLK_TCK")
        b.record("scale", who, 0, "calls", calls)
        b.record("scale", who, 0, "nonzero_exits", failures)
        b.record("scale", who, 0, "agent_core_pct", 100 * cpu / wall)
        b.record("scale", who, 0, "engine_core_pct", 100 * eng / wall)
        b.record("scale", who, 0, "wall_s", wall)
    # -force: deleting the primary address takes its secondaries with it
    subprocess.run(["ip", "-force", "-batch", "-"], input=batch.replace("address add", "address del"),
                   text=True, check=False, capture_output=True)
    b.down()
    for i in range(0, n, 50):
        b.docker("rm", "-f", *names[i:i + 50], check=False)


def pidof(name, needle):
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmd = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if cmd.startswith(name) and needle in cmd:
            return int(pid)
    return None


def cpu_ticks(pid):
    try:
        f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return int(f[11]) + int(f[12]) + int(f[13]) + int(f[14])
    except (OSError, IndexError, ValueError):
        return 0
