#!/usr/bin/env python3
"""Two builds of edgectl side by side in the same run: GET p50, creates/s at 16 clients
(api_bench's edgectl part) and container start p50 (`edgectl run-container`, busybox
`true`), alternating rounds so both see the same machine load. Used to show that a
change (the hardening of issue 9, say) leaves the hot paths where they were.

    python3 bench/compare_builds.py NEW_BINARY OLD_BINARY [ROUNDS]
"""
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "e2e"))
import api_bench  # noqa: E402
from test_runtime import make_busybox_rootfs  # noqa: E402

STARTS = int(os.environ.get("BENCH_RUNS", "50"))


def api_round(binary):
    results = {}
    api_bench.bench_edgectl(binary, results)
    get_p50 = float(results["edgectl GET p50/p99 (ms)"].split("/")[0])
    creates = float(re.match(r"(\d+)", results[f"edgectl creates/s, {api_bench.CLIENTS} clients"]).group(1))
    return get_p50, creates


def start_round(binary, rootfs, tag):
    times = []
    for i in range(STARTS):
        cmd = [binary, "run-container", "--rootfs", rootfs, "--cgroup", f"edgectl-compare/{tag}{i}",
               "--memory", str(64 << 20), "--pids", "100", "--", "true"]
        t = time.perf_counter()
        r = subprocess.run(cmd, capture_output=True)
        times.append(time.perf_counter() - t)
        if r.returncode != 0:
            raise SystemExit(f"{binary} run-container failed: {r.stderr.decode()[-300:]}")
    return statistics.median(times) * 1000


def main():
    new, old = sys.argv[1], sys.argv[2]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    rootfs = make_busybox_rootfs("edgectl-compare-rootfs-")
    figures = {b: {"get": [], "creates": [], "start": []} for b in (new, old)}
    try:
        for r in range(rounds):
            for b in ((new, old) if r % 2 == 0 else (old, new)):
                g, c = api_round(b)
                s = start_round(b, rootfs, f"r{r}-{'n' if b == new else 'o'}")
                figures[b]["get"].append(g)
                figures[b]["creates"].append(c)
                figures[b]["start"].append(s)
                print(f"round {r + 1} {'new' if b == new else 'old'}: GET p50 {g:.2f} ms, creates/s@16 {c:.0f}, start p50 {s:.1f} ms", flush=True)
    finally:
        shutil.rmtree(rootfs, ignore_errors=True)
        for controller in os.listdir("/sys/fs/cgroup"):
            base = f"/sys/fs/cgroup/{controller}/edgectl-compare"
            if os.path.isdir(base):
                for d in os.listdir(base):
                    try:
                        os.rmdir(os.path.join(base, d))
                    except OSError:
                        pass
                try:
                    os.rmdir(base)
                except OSError:
                    pass
    print(f"medians of {rounds} alternating rounds:")
    print(f"{'':24s}{'new':>12s}{'old':>12s}{'new/old':>10s}")
    for key, label in (("get", "GET p50 (ms)"), ("creates", "creates/s, 16 clients"), ("start", "container start p50 (ms)")):
        n, o = statistics.median(figures[new][key]), statistics.median(figures[old][key])
        print(f"{label:24s}{n:12.2f}{o:12.2f}{n / o:10.2f}")


if __name__ == "__main__":
    main()
