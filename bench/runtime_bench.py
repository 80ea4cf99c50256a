#!/usr/bin/env python3
"""Container create+start+exit of the same busybox root filesystem, `true` as
the command: edgectl's runtime (`edgectl run-container`) beside crun and runc
from Debian in the same run, each through its CLI. crun refuses hosts in
cgroup "hybrid mode" (a v2 tree mounted next to v1 controllers); there it runs
inside `unshare --mount` with the v2 mount removed, and so that the wrapper's
own cost is not counted against it, every runtime is also timed through the
same wrapper and the bare wrapper (`true` in place of a runtime) is printed."""
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "e2e"))
from test_runtime import cgroup_hybrid, crun_bundle, crun_command, make_busybox_rootfs  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "100"))
SECCOMP_SOURCE = os.path.join(os.path.dirname(__file__), "..", "Sources", "CEdgeRuntime", "seccomp_profile.c")
# CLONE_NEWNS | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET | NEWCGROUP, as the C profile masks them.
CLONE_NS_FLAGS = 0x00020000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000 | 0x02000000


def runtime_default_oci():
    """edgectl's RuntimeDefault profile as OCI JSON, read from its C source, so the
    OCI runtimes compile and load a filter of the same size as edgectl does."""
    src = open(SECCOMP_SOURCE).read()
    names = re.findall(r'"([a-z0-9_]+)"', src[src.index("allowed[] = {"):src.index("NULL,")])
    return {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1, "syscalls": [
        {"names": names, "action": "SCMP_ACT_ALLOW"},
        {"names": ["clone"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": CLONE_NS_FLAGS, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}]},
        {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38},
        {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 40, "op": "SCMP_CMP_NE"}]},
    ]}


def timed(cmd_for):
    times = []
    for i in range(RUNS):
        t = time.perf_counter()
        r = subprocess.run(cmd_for(i), capture_output=True)
        times.append(time.perf_counter() - t)
        if r.returncode != 0:
            return None, r.stderr.decode()[-200:]
    return times, None


def report(name, cmd):
    times, err = timed(cmd)
    if times is None:
        print(f"  {name:8s} failed: {err.strip()}")
        return
    print(f"  {name:8s} p50 {statistics.median(times)*1000:6.1f} ms   mean {statistics.mean(times)*1000:6.1f} ms   "
          f"p99 {sorted(times)[int(len(times)*0.99)-1]*1000:6.1f} ms")


def main():
    binary = sys.argv[1]
    rootfs = make_busybox_rootfs("edgectl-bench-rootfs-")
    bundle = crun_bundle(rootfs, ["true"], "edgectl-bench/oci", 64 << 20, 100)
    config_path = os.path.join(bundle, "config.json")
    config = json.load(open(config_path))
    config["linux"]["seccomp"] = runtime_default_oci()
    json.dump(config, open(config_path, "w"))
    pid = os.getpid()
    edgectl = lambda i: [binary, "run-container", "--rootfs", rootfs, "--cgroup", f"edgectl-bench/e{i}",
                         "--memory", str(64 << 20), "--pids", "100", "--", "true"]
    crun = lambda i: ["run", "--bundle", bundle, f"bench-crun-{pid}-{i}"]
    runc = lambda i: ["runc", "run", "--bundle", bundle, f"bench-runc-{pid}-{i}"]
    print(f"container create+start+exit, busybox `true`, {RUNS} runs each (same root filesystem, 64 MiB memory and 100 pids limits,"
          " the same RuntimeDefault seccomp allow-list)")
    if cgroup_hybrid():
        wrap = lambda cmd: ["unshare", "--mount", "--propagation", "private", "sh", "-c",
                            'umount /sys/fs/cgroup/unified && exec "$@"', "wrap", *cmd]
        print("  cgroup hybrid host: crun only runs inside `unshare --mount` without the v2 mount; all three through that wrapper:")
        report("wrapper", lambda i: wrap(["true"]))
        report("edgectl", lambda i: wrap(edgectl(i)))
        report("crun", lambda i: crun_command(crun(i)))
        report("runc", lambda i: wrap(runc(i)))
        print("  and bare (no wrapper):")
        report("edgectl", edgectl)
        report("runc", runc)
    else:
        report("edgectl", edgectl)
        report("crun", lambda i: crun_command(crun(i)))
        report("runc", runc)
    shutil.rmtree(rootfs, ignore_errors=True)
    shutil.rmtree(bundle, ignore_errors=True)
    for controller in os.listdir("/sys/fs/cgroup"):
        try:
            os.rmdir(f"/sys/fs/cgroup/{controller}/edgectl-bench")
        except OSError:
            pass


if __name__ == "__main__":
    main()
