"""Leaves no container, mount or cgroup behind after a pod test, even when it
failed: containers outlive the agent by design, so tests end them here."""
import glob
import json
import os
import signal
import subprocess
import time


def cleanup_node(data_dir):
    # Never through a symlink: a pod may plant links (to "/" even) in its volumes, and a recursive glob
    # would follow them over the whole host (and kill other nodes' containers from their state.json).
    found = list(os.walk(data_dir, followlinks=False))
    pods = [os.path.join(parent, d) for parent, dirs, _ in found if os.path.basename(parent) == "pods" for d in dirs]
    states = [os.path.join(parent, "state.json") for parent, _, files in found if "state.json" in files]
    for state in states:
        try:
            os.kill(json.load(open(state))["pid"], signal.SIGKILL)
        except (OSError, ValueError, KeyError):
            pass
    deadline = time.time() + 10
    # A supervisor starts as `edgectl shim DIR` and becomes `edgectl __supervise ... LOG ...`: both name the data dir.
    pattern = f"edgectl (shim|__supervise) .*{data_dir}"
    while time.time() < deadline and subprocess.run(["pgrep", "-f", pattern], capture_output=True).returncode == 0:
        time.sleep(0.1)
    subprocess.run(["pkill", "-9", "-f", pattern], capture_output=True)
    mounts = [line.split()[1] for line in open("/proc/mounts") if line.split()[1].startswith(os.path.realpath(data_dir))]
    for m in sorted(mounts, key=len, reverse=True):
        subprocess.run(["umount", "-l", m], capture_output=True)
    for p in pods:
        uid = os.path.basename(p)
        for ctl in ("memory", "cpu", "pids", "devices", "unified", ""):
            for d in sorted(glob.glob(f"/sys/fs/cgroup/{ctl}/edgectl/pod{uid}*/**", recursive=True), key=len, reverse=True) + \
                    glob.glob(f"/sys/fs/cgroup/{ctl}/edgectl/pod{uid}"):
                if os.path.isdir(d):
                    try:
                        os.rmdir(d)
                    except OSError:
                        pass
