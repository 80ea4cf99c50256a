#!/usr/bin/env python3
"""Flash-friendly writes: bytes an idle node writes per hour, the figure that decides how long
an SD card lasts (k3s users report cards worn out within months: k3s issues 11313 and 5042).

Two nodes, each idle with 10 pods (busybox sleep) after a settle period:
  server node  `edgectl server` with its local agent (API server, store, controllers, agent, pods)
  agent node   `edgectl agent` joined to a server on loopback; only the agent is measured
Measured over BENCH_WINDOW seconds (default 300: a node-status resync and a compaction) and scaled
to an hour: the sum of /proc/PID/io write_bytes (bytes the kernel sent to the block layer on the
process's behalf, which is what wears the card) over every edgectl process of the node (server or
agent, and each pod's supervisor), and the growth of the data directory. The data dir must be on
a real disk (not tmpfs, whose writes never reach a block device). Root (pods)."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

if len(sys.argv) > 1:
    os.environ["EDGECTL_BIN"] = os.path.abspath(sys.argv[1])  # conftest reads it on import
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "e2e"))
from conftest import EDGECTL, Kubectl, Server, free_port, loopback_only_agent_args, wait_for  # noqa: E402
from local_registry import LocalRegistry  # noqa: E402
from node_cleanup import cleanup_node  # noqa: E402

WINDOW = int(os.environ.get("BENCH_WINDOW", "300"))
SETTLE = int(os.environ.get("BENCH_SETTLE", "330"))  # past the first compaction and WAL checkpoint after the pods start
PODS = 10
# Which nodes to measure (a comma-separated subset of server, server-flash, agent): each takes SETTLE + WINDOW.
NODES = os.environ.get("BENCH_NODES", "server,server-flash,agent").split(",")


def edgectl_pids(data_dir):
    """Processes of edgectl working on `data_dir`: the server or agent, and the pods' supervisors."""
    real = os.path.realpath(data_dir)
    pids = []
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            args = open(f"/proc/{p}/cmdline", "rb").read().decode(errors="replace").split("\0")
        except OSError:
            continue
        # Any binary named edgectl* (a build compared beside another is often a renamed copy).
        if args and os.path.basename(args[0]).startswith("edgectl") and any(real in a for a in args):
            pids.append(int(p))
    return pids


def write_bytes(pids):
    total = {}
    for pid in pids:
        try:
            for line in open(f"/proc/{pid}/io"):
                if line.startswith("write_bytes:"):
                    total[pid] = int(line.split()[1])
        except OSError:
            pass
    return total


def du(path):
    return int(subprocess.run(["du", "-sb", path], capture_output=True, text=True).stdout.split()[0])


def deploy(k, image, node):
    d = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "idle"},
         "spec": {"replicas": PODS, "selector": {"matchLabels": {"app": "idle"}},
                  "template": {"metadata": {"labels": {"app": "idle"}},
                               "spec": {"nodeName": node, "terminationGracePeriodSeconds": 0,
                                        "containers": [{"name": "c", "image": image, "command": ["sleep", "86400"]}]}}}}
    k.run("apply", "-f", "-", input=json.dumps(d))
    wait_for(lambda: len([p for p in json.loads(k.run("get", "pods", "-o", "json").stdout)["items"]
                          if p["status"].get("phase") == "Running"]) == PODS, 180, f"{PODS} running pods")


def measure(label, data_dir):
    time.sleep(SETTLE)
    pids = edgectl_pids(data_dir)
    before, size0, t0 = write_bytes(pids), du(data_dir), time.time()
    time.sleep(WINDOW)
    after, size1, t1 = write_bytes(pids), du(data_dir), time.time()
    written = sum(after.get(p, before[p]) - before[p] for p in before)
    per_hour = written * 3600 / (t1 - t0)
    growth = (size1 - size0) * 3600 / (t1 - t0)
    top = sorted(((after.get(p, before[p]) - before[p], p) for p in before), reverse=True)[:3]
    names = {p: " ".join(open(f"/proc/{p}/cmdline", "rb").read().decode(errors="replace").split("\0")[:2]) for _, p in top
             if os.path.exists(f"/proc/{p}")}
    print(f"{label}: {per_hour / 1e6:.2f} MB/h written by {len(pids)} edgectl processes over {t1 - t0:.0f} s "
          f"(data dir growth {growth / 1e6:+.2f} MB/h); largest: "
          + ", ".join(f"{names.get(p, p)} {b * 3600 / (t1 - t0) / 1e6:.2f} MB/h" for b, p in top), flush=True)
    return per_hour, growth


def main():
    if os.geteuid() != 0:
        sys.exit("write_bench: needs root (pods)")
    base = os.environ.get("BENCH_DIR", "/var/tmp")
    reg = LocalRegistry(free_port()).start().push_recipes(names=("busybox",))
    image = reg.image("busybox")
    results = {}
    try:
        # Server node: control plane and local agent in one process, 10 pods; with the defaults
        # (kubelet's 40 s lease renewed every 10 s), then with the flash settings (a 120 s lease).
        for key, label, extra in [("server", "server node (server + local agent, 10 pods), defaults", []),
                                  ("server-flash", "server node, --node-lease-duration-seconds 120 --node-monitor-grace-period 150s",
                                   ["--node-lease-duration-seconds", "120", "--node-monitor-grace-period", "150s"])]:
            if key not in NODES:
                continue
            d = tempfile.mkdtemp(prefix="edgectl-writes-server-", dir=base)
            s = Server(d, free_port(), extra_args=["--node-name", "bench-server", "--agent-api-port", str(free_port()), *extra], agent=True)
            try:
                s.start()
                deploy(Kubectl(s.kubeconfig), image, "bench-server")
                results[key] = measure(label, d)
            finally:
                s.stop()
                cleanup_node(d)
                shutil.rmtree(d, ignore_errors=True)
        # Agent node: a server elsewhere (not measured), the agent and its 10 pods measured.
        if "agent" not in NODES:
            return print(json.dumps({k: {"MB_per_hour": round(v[0] / 1e6, 2), "data_dir_growth_MB_per_hour": round(v[1] / 1e6, 2)}
                                     for k, v in results.items()}))
        sd = tempfile.mkdtemp(prefix="edgectl-writes-cp-", dir=base)
        ad = tempfile.mkdtemp(prefix="edgectl-writes-agent-", dir=base)
        s = Server(sd, free_port(), extra_args=["--node-name", "cp"])
        agent = None
        try:
            s.start()
            line = subprocess.run([EDGECTL, "token", "create", "--kubeconfig", s.kubeconfig],
                                  capture_output=True, text=True, check=True).stdout.split()
            url, token, ca = line[2], line[4], line[6]
            agent = subprocess.Popen([EDGECTL, "join", url, "--token", token, "--ca-cert-hash", ca, "--data-dir", ad,
                                      "--node-name", "bench-agent", "--agent-api-port", str(free_port()),
                                      # Root namespace: no pod network or proxy rules here (DESIGN.md, test hosts).
                                      *loopback_only_agent_args(ad)],
                                     stdout=open(os.path.join(sd, "agent.log"), "w"), stderr=subprocess.STDOUT)
            k = Kubectl(s.kubeconfig)
            wait_for(lambda: k.run("get", "node", "bench-agent", check=False).returncode == 0, 60, "the agent's node")
            deploy(k, image, "bench-agent")
            results["agent"] = measure("agent node (agent, 10 pods)", ad)
        finally:
            if agent:
                agent.terminate()
                agent.wait(timeout=20)
            s.stop()
            cleanup_node(ad)
            shutil.rmtree(ad, ignore_errors=True)
            shutil.rmtree(sd, ignore_errors=True)
    finally:
        reg.stop()
    print(json.dumps({k: {"MB_per_hour": round(v[0] / 1e6, 2), "data_dir_growth_MB_per_hour": round(v[1] / 1e6, 2)} for k, v in results.items()}))


if __name__ == "__main__":
    main()
