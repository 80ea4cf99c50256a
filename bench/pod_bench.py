#!/usr/bin/env python3
"""Pod startup and agent footprint on a real node: a server on loopback, an
agent joined with `edgectl join` (its own process, as on a board), images
pulled once from a local docker-registry. Measures create -> Running as a
watcher sees it (image present) over 100 pods created 10 at a time, and the
agent's RSS idle with 0 and with 30 pods, plus each pod's supervisor. The peer
in the same run is the bare runtime: `runc run` of the same image's root with
`true`, the floor any pod start sits on.

Pod startup is measured twice: with the pod network on (the built-in vxlan
network: a veth, an address and routes per pod) and loopback only (through
CNI's loopback plugin, the pod namespace as before the pod network). Both run
inside a network namespace this script makes (with a veth as the node's
uplink, 10.251.0.1/24), so no pod address or route reaches the machine's own."""
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "e2e"))
from conftest import KUBECTL, Kubectl, Server, free_port, loopback_only_network_args  # noqa: E402
from local_registry import LocalRegistry  # noqa: E402
from node_cleanup import cleanup_node  # noqa: E402
from test_runtime import crun_bundle, make_busybox_rootfs  # noqa: E402

PODS = int(os.environ.get("BENCH_PODS", "100"))
BATCH = 10


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def rss_kb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def pss_kb(pid):
    """Proportional set size: shared pages (the binary every supervisor maps) divided among their users."""
    for line in open(f"/proc/{pid}/smaps_rollup"):
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def pod(name, image, node):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"bench": "pods"}},
            "spec": {"nodeName": node, "terminationGracePeriodSeconds": 0,
                     "containers": [{"name": "c", "image": image, "imagePullPolicy": "IfNotPresent", "command": ["sleep", "3600"]}]}}


def watch_running(kubeconfig, seen, stop):
    """Records when each pod is first seen Running on a watch stream."""
    proc = subprocess.Popen([KUBECTL, "--kubeconfig", kubeconfig, "get", "pods", "-l", "bench=pods", "--watch", "--output-watch-events",
                             "-o", "json"], stdout=subprocess.PIPE, text=True)
    buf = ""
    depth = 0
    while not stop.is_set():
        ch = proc.stdout.read(1)
        if not ch:
            break
        buf += ch
        depth += ch == "{"
        depth -= ch == "}"
        if depth == 0 and buf.strip():
            ev = json.loads(buf)
            buf = ""
            o = ev["object"]
            if o.get("status", {}).get("phase") == "Running" and o["metadata"]["name"] not in seen:
                seen[o["metadata"]["name"]] = time.perf_counter()
    proc.kill()


NODE_IP = "10.251.0.1"


def in_own_namespace(argv):
    """Runs this script again inside a fresh network namespace (only the network: the agent needs the
    machine's mounts and cgroups), with a veth as the node's uplink; removes the namespace after."""
    ns = f"edgebench-{os.getpid()}"
    subprocess.run(["ip", "netns", "add", ns], check=True)
    try:
        for cmd in (["link", "set", "lo", "up"], ["link", "add", "eth0", "type", "veth", "peer", "name", "eth1"],
                    ["addr", "add", f"{NODE_IP}/24", "dev", "eth0"], ["link", "set", "eth0", "up"], ["link", "set", "eth1", "up"]):
            subprocess.run(["ip", "-n", ns, *cmd], check=True)
        env = dict(os.environ, EDGECTL_BENCH_NETNS=ns)
        return subprocess.run(["nsenter", f"--net=/run/netns/{ns}", sys.executable, *argv], env=env).returncode
    finally:
        subprocess.run(["ip", "netns", "del", ns])


def main():
    if not os.environ.get("EDGECTL_BENCH_NETNS"):
        sys.exit(in_own_namespace(sys.argv))
    binary = sys.argv[1]
    os.environ["EDGECTL_BIN"] = binary
    import conftest
    conftest.EDGECTL = binary
    reg = LocalRegistry(free_port()).start().push_recipes(("busybox",))
    try:
        networked = measure(binary, reg, network=True)
        loopback = measure(binary, reg, network=False)
    finally:
        reg.stop()
    runc = runc_floor()
    for label, r in (("pod network on (vxlan: veth, address, routes)", networked), ("loopback only (CNI loopback plugin)", loopback)):
        lat = r["lat"]
        print(f"pod startup, {label}, create -> Running on a watch, image present, {PODS} pods in batches of {BATCH}:")
        print(f"  p50 {statistics.median(lat):.0f} ms, p99 {pct(lat, 99):.0f} ms, max {max(lat):.0f} ms")
    print(f"  peer floor, runc run of `true` (create+start+exit): p50 {statistics.median(runc):.1f} ms")
    r = networked
    print(f"agent RSS (edgectl join process, pod network on): idle with 0 pods {r['idle0'] / 1024:.1f} MB; with 30 pods {r['idle30'] / 1024:.1f} MB "
          f"({(r['idle30'] - r['idle0']) / 30 / 1024:.2f} MB per pod)")
    print(f"per-pod supervisor RSS: {statistics.median(r['shim_rss']) / 1024:.2f} MB, PSS {statistics.median(r['shim_pss']) / 1024:.2f} MB "
          f"(medians over {len(r['shim_rss'])})")
    print(f"agent idle CPU with 30 pods (10 s): {r['idle_cpu']:.2f} % of a core")


def measure(binary, reg, network):
    d = tempfile.mkdtemp(prefix="edgectl-podbench-")
    server = Server(os.path.join(d, "server"), free_port(),
                    extra_args=["--flannel-backend", "vxlan"] if network else loopback_only_network_args(d))
    os.makedirs(server.data_dir)
    agent = None
    node = "bench-node"
    try:
        server.start()
        k = Kubectl(server.kubeconfig)
        out = subprocess.run([binary, "token", "create", "--kubeconfig", server.kubeconfig], capture_output=True, text=True, check=True).stdout
        url, token, ca = re.search(r"join (\S+) --token (\S+) --ca-cert-hash (\S+)", out).groups()
        agent_dir = os.path.join(d, "agent")
        cni = [] if network else ["--cni-conf-dir", os.path.join(d, "cni-loopback")]
        agent = subprocess.Popen([binary, "join", url, "--token", token, "--ca-cert-hash", ca, "--data-dir", agent_dir, "--node-name", node,
                                  "--node-ip", NODE_IP, "--agent-api-port", str(free_port()), *cni],
                                 stdout=open(os.path.join(d, "agent.log"), "w"), stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline and "True" not in k.run("get", "node", node, "-o", "jsonpath={.status.conditions[?(@.type=='Ready')].status}", check=False).stdout:
            time.sleep(0.5)
        time.sleep(5)
        idle0 = rss_kb(agent.pid)
        # Warm-up: the image is pulled once; every measured pod finds it present.
        k.run("apply", "-f", "-", input=json.dumps(pod("warmup", reg.image("busybox"), node)))
        while "Running" not in k.run("get", "pod", "warmup", "-o", "jsonpath={.status.phase}").stdout:
            time.sleep(0.2)
        k.run("delete", "pod", "warmup", "--grace-period=0", "--force", check=False)

        seen, stop = {}, threading.Event()
        w = threading.Thread(target=watch_running, args=(server.kubeconfig, seen, stop), daemon=True)
        w.start()
        time.sleep(1)
        created = {}
        for b in range(0, PODS, BATCH):
            names = [f"p{i}" for i in range(b, min(PODS, b + BATCH))]
            docs = "\n---\n".join(json.dumps(pod(n, reg.image("busybox"), node)) for n in names)
            t = time.perf_counter()
            k.run("create", "-f", "-", input=docs)
            for n in names:
                created[n] = t
            deadline = time.time() + 60
            while not all(n in seen for n in names):
                if time.time() > deadline:
                    stuck = [n for n in names if n not in seen]
                    raise RuntimeError(f"pods never Running within 60 s: {stuck}\n" + k.run("get", "pods", *stuck, "-o", "wide").stdout)
                time.sleep(0.02)
        lat = [(seen[n] - created[n]) * 1000 for n in created]
        stop.set()
        # Footprint with 30 pods: delete down to 30 and let it settle.
        for i in range(30, PODS):
            k.run("delete", "pod", f"p{i}", "--wait=false", check=False)
        deadline = time.time() + 120
        while len(k.json("get", "pods", "-l", "bench=pods")["items"]) > 30:
            if time.time() > deadline:
                raise RuntimeError("deleted pods still listed after 120 s")
            time.sleep(0.5)
        time.sleep(10)
        idle30 = rss_kb(agent.pid)
        shims = [int(p) for p in subprocess.run(["pgrep", "-f", f"edgectl __supervise .*{agent_dir}"], capture_output=True, text=True).stdout.split()]
        shim_rss = [rss_kb(p) for p in shims]
        shim_pss = [pss_kb(p) for p in shims]
        cpu0 = sum(int(x) for x in open(f"/proc/{agent.pid}/stat").read().rsplit(")", 1)[1].split()[11:13])
        time.sleep(10)
        cpu1 = sum(int(x) for x in open(f"/proc/{agent.pid}/stat").read().rsplit(")", 1)[1].split()[11:13])
        idle_cpu = (cpu1 - cpu0) / os.sysconf("SC_CLK_TCK") / 10 * 100
    finally:
        if agent:
            agent.terminate()
            agent.wait(timeout=20)
        server.stop()
        cleanup_node(d)
        shutil.rmtree(d, ignore_errors=True)
    return {"lat": lat, "idle0": idle0, "idle30": idle30, "shim_rss": shim_rss, "shim_pss": shim_pss, "idle_cpu": idle_cpu}


def runc_floor():
    rootfs = make_busybox_rootfs("edgectl-podbench-rootfs-")
    bundle = crun_bundle(rootfs, ["true"], "edgectl-podbench/oci", 64 << 20, 100)
    runc = []
    for i in range(20):
        t = time.perf_counter()
        subprocess.run(["runc", "run", "--bundle", bundle, f"podbench-{os.getpid()}-{i}"], capture_output=True, check=True)
        runc.append((time.perf_counter() - t) * 1000)
    shutil.rmtree(bundle, ignore_errors=True)
    shutil.rmtree(rootfs, ignore_errors=True)
    return runc


if __name__ == "__main__":
    main()
