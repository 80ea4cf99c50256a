"""Leaves no container, mount or cgroup behind after a pod test, even when it
failed: containers outlive the agent by design, so tests end them here."""
import glob
import json
import os
import signal
import subprocess
import time


def cleanup_node(data_dir):
    pods = glob.glob(os.path.join(data_dir, "**", "pods", "*"), recursive=True)
    for state in glob.glob(os.path.join(data_dir, "**", "state.json"), recursive=True):
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
        for ctl in ("memory", "cpu", "pids", "unified", ""):
            for d in sorted(glob.glob(f"/sys/fs/cgroup/{ctl}/edgectl/pod{uid}*/**", recursive=True), key=len, reverse=True) + \
                    glob.glob(f"/sys/fs/cgroup/{ctl}/edgectl/pod{uid}"):
                if os.path.isdir(d):
                    try:
                        os.rmdir(d)
                    except OSError:
                        pass
