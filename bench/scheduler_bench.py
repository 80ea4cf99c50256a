#!/usr/bin/env python3
"""Scheduler and control-plane scale benchmarks against a real `edgectl server`.

1. SchedulingBasic, shaped like upstream's scheduler_perf: N registered nodes
   (no kubelet load, as scheduler_perf), a number of pods already placed, then
   a burst of pods created by 16 clients; throughput is pods bound per second
   from the first to the last binding of the burst, seen on a watch.
   There is no upstream scheduler on this machine to run beside it; upstream's
   CI floor (about 270 pods/s at 5,000 nodes on large machines) is the reference.
2. End to end: a 10,000-replica Deployment on 1,000 hollow nodes
   (`edgectl hollow-nodes`, which also reports every pod Running and renews
   1,000 leases); time until the Deployment reports all replicas available,
   the server's RSS at the end and 60 s (BENCH_SETTLE) later.

Usage: scheduler_bench.py EDGECTL [EDGECTL ...]: with several binaries each
case runs them in turn, BENCH_ROUNDS times (default 1), and reports every run
and the medians. BENCH_CASES=basic or e2e runs one part only; BENCH_QUICK=1
leaves out the largest cases; BENCH_PIN=0 pins the server to CPU 0.
"""
import json
import multiprocessing as mp
import os
import shutil
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from api_bench import SETTLE, APIConn, rss_mb, start_server, watch_events  # noqa: E402

CLIENTS = 16


def node(name):
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    res = {"cpu": "32", "memory": "64Gi", "pods": "110", "ephemeral-storage": "100Gi"}
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
            "status": {"capacity": res, "allocatable": res,
                       "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady", "lastHeartbeatTime": now,
                                       "lastTransitionTime": now}]}}


def lease(name):
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime())
    return {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": name},
            "spec": {"holderIdentity": name, "leaseDurationSeconds": 40, "renewTime": now}}


def pod(name):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"app": "bench"}},
            "spec": {"containers": [{"name": "c", "image": "busybox:1.36",
                                     "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}}}]}}


def create_worker(kubeconfig, kind, names, q):
    c = APIConn(kubeconfig)
    for n in names:
        if kind == "node":
            c.req("POST", "/api/v1/nodes", node(n))
            c.req("POST", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", lease(n))
        else:
            c.req("POST", "/api/v1/namespaces/bench/pods", pod(n))
    q.put(len(names))


def create_all(kubeconfig, kind, names):
    q = mp.Queue()
    chunks = [names[i::CLIENTS] for i in range(CLIENTS)]
    procs = [mp.Process(target=create_worker, args=(kubeconfig, kind, ch, q)) for ch in chunks if ch]
    for p in procs:
        p.start()
    for _ in procs:
        q.get()
    for p in procs:
        p.join()


class BindWatch:
    """Times each pod's binding from a watch on pods."""

    def __init__(self, kubeconfig):
        c = APIConn(kubeconfig)
        rv = json.loads(c.req("GET", "/api/v1/namespaces/bench/pods?limit=1"))["metadata"]["resourceVersion"]
        self.w = APIConn(kubeconfig)
        self.w.conn.request("GET", f"/api/v1/namespaces/bench/pods?watch=true&resourceVersion={rv}")
        self.resp = self.w.conn.getresponse()
        self.bound = {}
        self.lock = threading.Condition()
        threading.Thread(target=self.read, daemon=True).start()

    def read(self):
        try:
            self.follow()
        except Exception:
            pass  # the server went away at the end of the case

    def follow(self):
        for ev in watch_events(self.resp):
            o = ev["object"]
            if o.get("spec", {}).get("nodeName") and o["metadata"]["name"] not in self.bound:
                with self.lock:
                    self.bound[o["metadata"]["name"]] = time.perf_counter()
                    self.lock.notify_all()

    def wait(self, names, timeout):
        deadline = time.time() + timeout
        with self.lock:
            while not all(n in self.bound for n in names):
                if time.time() > deadline:
                    return False
                self.lock.wait(0.5)
        return True


def renew_leases(kubeconfig, nodes, stop):
    c = APIConn(kubeconfig)
    while not stop.wait(15):
        for n in nodes:
            obj = json.loads(c.req("GET", f"/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/{n}"))
            obj["spec"]["renewTime"] = time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime())
            c.req("PUT", f"/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/{n}", obj)


def scheduling_basic(binary, nodes, init_pods, measure_pods):
    proc, kubeconfig, d = start_server(binary)
    stop = threading.Event()
    try:
        c = APIConn(kubeconfig)
        c.req("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "bench"}})
        names = [f"node-{i}" for i in range(nodes)]
        create_all(kubeconfig, "node", names)
        threading.Thread(target=renew_leases, args=(kubeconfig, names, stop), daemon=True).start()
        watch = BindWatch(kubeconfig)
        init = [f"init-{i}" for i in range(init_pods)]
        create_all(kubeconfig, "pod", init)
        if not watch.wait(init, 300):
            raise RuntimeError("initial pods were not all scheduled")
        measured = [f"pod-{i}" for i in range(measure_pods)]
        t0 = time.perf_counter()
        create_all(kubeconfig, "pod", measured)
        created = time.perf_counter() - t0
        if not watch.wait(measured, 600):
            raise RuntimeError(f"only {sum(n in watch.bound for n in measured)} of {measure_pods} scheduled")
        times = sorted(watch.bound[n] for n in measured)
        span = times[-1] - times[0]
        return measure_pods / span, measure_pods / created, rss_mb(proc.pid)
    finally:
        stop.set()
        proc.terminate()
        proc.wait()
        shutil.rmtree(d, ignore_errors=True)


def deployment_e2e(binary, nodes=1000, replicas=10000):
    proc, kubeconfig, d = start_server(binary)
    hollow = subprocess.Popen([binary, "hollow-nodes", "--count", str(nodes), "--kubeconfig", kubeconfig, "--cpu", "32", "--memory", "64Gi"],
                              stdout=open(os.path.join(d, "hollow.log"), "w"), stderr=subprocess.STDOUT)
    try:
        c = APIConn(kubeconfig)
        deadline = time.time() + 300
        while time.time() < deadline:
            listed = json.loads(c.req("GET", "/api/v1/nodes?limit=2000"))["items"]
            if len(listed) >= nodes:
                break
            time.sleep(1)
        c.req("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "bench"}})
        t0 = time.perf_counter()
        c.req("POST", "/apis/apps/v1/namespaces/bench/deployments", {
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "big"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "big"}},
                     "template": {"metadata": {"labels": {"app": "big"}}, "spec": pod("x")["spec"]}}})
        available = 0
        deadline = time.time() + 1200
        while time.time() < deadline:
            st = json.loads(c.req("GET", "/apis/apps/v1/namespaces/bench/deployments/big")).get("status", {})
            available = st.get("availableReplicas", 0)
            if available >= replicas:
                break
            time.sleep(1)
        elapsed = time.perf_counter() - t0
        rss, hollow_rss = rss_mb(proc.pid), rss_mb(hollow.pid)
        time.sleep(SETTLE)
        return elapsed, available, rss, hollow_rss, rss_mb(proc.pid)
    finally:
        hollow.terminate()
        hollow.wait()
        proc.terminate()
        proc.wait()
        shutil.rmtree(d, ignore_errors=True)


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]


def main():
    binaries = sys.argv[1:]
    quick = os.environ.get("BENCH_QUICK") == "1"
    rounds = int(os.environ.get("BENCH_ROUNDS", "1"))
    only = os.environ.get("BENCH_CASES")
    name = {b: (f"[{i + 1}: {os.path.basename(b)}] " if len(binaries) > 1 else "") for i, b in enumerate(binaries)}
    cases = [(100, 1000, 1000), (1000, 1000, 1000)] + ([] if quick else [(1000, 1000, 10000)])
    if only != "e2e":
        print("SchedulingBasic (nodes, placed first, measured): scheduled/s | created/s by 16 clients | server RSS", flush=True)
        for nodes, init, measure in cases:
            got = {b: [] for b in binaries}
            for _ in range(rounds):
                for b in binaries:
                    got[b].append(scheduling_basic(b, nodes, init, measure))
                    sched, created, rss = got[b][-1]
                    print(f"  {name[b]}{nodes} nodes, {init} + {measure} pods: {sched:,.0f} pods/s | {created:,.0f} creates/s | {rss:.0f} MB",
                          flush=True)
            if rounds > 1:
                for b in binaries:
                    m = [median([r[i] for r in got[b]]) for i in range(3)]
                    print(f"  median {name[b]}{nodes} nodes: {m[0]:,.0f} pods/s | {m[1]:,.0f} creates/s | {m[2]:.0f} MB", flush=True)
    if not quick and only != "basic":
        got = {b: [] for b in binaries}
        for _ in range(rounds):
            for b in binaries:
                got[b].append(deployment_e2e(b))
                elapsed, available, rss, hollow_rss, settled = got[b][-1]
                print(f"{name[b]}10,000-replica Deployment on 1,000 hollow nodes: {available} available after {elapsed:.1f} s; "
                      f"server RSS {rss:.0f} MB ({settled:.0f} MB {SETTLE:.0f} s later), hollow-nodes process RSS {hollow_rss:.0f} MB",
                      flush=True)
        if rounds > 1:
            for b in binaries:
                m = [median([r[i] for r in got[b]]) for i in range(5)]
                print(f"median {name[b]}: available after {m[0]:.1f} s; server RSS {m[2]:.0f} MB ({m[4]:.0f} MB later), "
                      f"hollow-nodes RSS {m[3]:.0f} MB", flush=True)


if __name__ == "__main__":
    main()
