#!/usr/bin/env python3
"""Container create+start+exit of the same busybox root filesystem, `true` as
the command: edgectl's runtime (`edgectl run-container`) beside crun and runc
from Debian in the same run, each through its CLI. crun refuses hosts in
cgroup "hybrid mode" (a controller on v2 next to v1); it is then reported as
not runnable rather than left out silently."""
import os
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "e2e"))
from test_runtime import crun_bundle, make_busybox_rootfs  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "100"))


def timed(cmd_for):
    times = []
    for i in range(RUNS):
        t = time.perf_counter()
        r = subprocess.run(cmd_for(i), capture_output=True)
        times.append(time.perf_counter() - t)
        if r.returncode != 0:
            return None, r.stderr.decode()[-200:]
    return times, None


def main():
    binary = sys.argv[1]
    rootfs = make_busybox_rootfs("edgectl-bench-rootfs-")
    bundle = crun_bundle(rootfs, ["true"], "edgectl-bench/oci", 64 << 20, 100)
    pid = os.getpid()
    cases = [
        ("edgectl", lambda i: [binary, "run-container", "--rootfs", rootfs, "--cgroup", f"edgectl-bench/e{i}",
                               "--memory", str(64 << 20), "--pids", "100", "--", "true"]),
        ("crun", lambda i: ["crun", "run", "--bundle", bundle, f"bench-crun-{pid}-{i}"]),
        ("runc", lambda i: ["runc", "run", "--bundle", bundle, f"bench-runc-{pid}-{i}"]),
    ]
    print(f"container create+start+exit, busybox `true`, {RUNS} runs each (same root filesystem, 64 MiB memory and 100 pids limits)")
    for name, cmd in cases:
        times, err = timed(cmd)
        if times is None:
            print(f"  {name:8s} not runnable here: {err.strip()}")
            continue
        print(f"  {name:8s} p50 {statistics.median(times)*1000:6.1f} ms   mean {statistics.mean(times)*1000:6.1f} ms   "
              f"p99 {sorted(times)[int(len(times)*0.99)-1]*1000:6.1f} ms")
    shutil.rmtree(rootfs, ignore_errors=True)
    shutil.rmtree(bundle, ignore_errors=True)
    for controller in os.listdir("/sys/fs/cgroup"):
        try:
            os.rmdir(f"/sys/fs/cgroup/{controller}/edgectl-bench")
        except OSError:
            pass


if __name__ == "__main__":
    main()
