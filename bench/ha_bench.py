#!/usr/bin/env python3
"""High availability benchmarks (issue 15), peers in the same run:
- the API store benchmark on each backend (SQLite, etcd 3.4, PostgreSQL 15), with etcd spoken to directly
  (v3 JSON gateway, no edgectl in between) as the reference;
- watch latency across servers (a create on one server, the event at a watcher on another), p50/p99;
- leader failover: kill -9 the server holding kube-controller-manager, time until another holds it;
- idle RSS of a server on each backend."""
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "e2e"))
import api_bench  # noqa: E402
from api_bench import APIConn, api_creator, etcd_putter, pct, rss_mb, run_clients  # noqa: E402
from datastores import EtcdCluster, Postgres  # noqa: E402

BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", ".build", "edgectl")


STARTED = []


def start(data_dir, endpoint=None, join=None):
    os.makedirs(data_dir, exist_ok=True)
    port = api_bench.free_port()
    args = [BIN, "server", "--data-dir", data_dir, "--bind-address", "127.0.0.1", "--https-listen-port", str(port),
            "--disable-agent", "--flannel-backend", "none", "--node-name", os.path.basename(data_dir)]
    if endpoint:
        args += ["--datastore-endpoint", endpoint]
    if join:
        args += ["--server", f"https://127.0.0.1:{join['port']}", "--token", open(os.path.join(join["dir"], "token")).read().strip()]
    proc = subprocess.Popen(args, stdout=open(os.path.join(data_dir, "log"), "w"), stderr=subprocess.STDOUT)
    STARTED.append(proc)
    kubeconfig = os.path.join(data_dir, "kubeconfig.yaml")
    for _ in range(300):
        if os.path.exists(kubeconfig):
            try:
                APIConn(kubeconfig).req("GET", "/readyz")
                c = APIConn(kubeconfig)
                try:
                    c.req("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "bench"}})
                except RuntimeError:
                    pass
                return {"proc": proc, "kubeconfig": kubeconfig, "dir": data_dir, "port": port}
            except Exception:
                pass
        time.sleep(0.2)
    raise RuntimeError("server did not start: " + open(os.path.join(data_dir, "log")).read()[-2000:])


def stop(s):
    s["proc"].send_signal(signal.SIGTERM)
    try:
        s["proc"].wait(timeout=15)
    except subprocess.TimeoutExpired:
        s["proc"].kill()


def creates(s, tag):
    out = {}
    for clients in (1, 16):
        rate, lat = run_clients(api_creator, lambda i: (s["kubeconfig"], f"{tag}{clients}-{i}"), clients)
        out[clients] = (rate, pct(lat, 50) * 1000, pct(lat, 99) * 1000)
    return out


def etcd_direct(endpoint):
    out = {}
    for clients in (1, 16):
        rate, lat = run_clients(etcd_putter, lambda i: (endpoint, f"direct{clients}-{i}"), clients)
        out[clients] = (rate, pct(lat, 50) * 1000, pct(lat, 99) * 1000)
    return out


def watch_latency(writer, watcher, n=200):
    """Creates on `writer`; a raw watch on `watcher` timestamps each event."""
    conn = APIConn(watcher["kubeconfig"])
    rv = json.loads(conn.req("GET", "/api/v1/namespaces/bench/configmaps?limit=1"))["metadata"]["resourceVersion"]
    seen = {}
    stream = APIConn(watcher["kubeconfig"])
    stream.conn.request("GET", f"/api/v1/namespaces/bench/configmaps?watch=1&resourceVersion={rv}")
    resp = stream.conn.getresponse()

    def reader():
        buf = b""
        while len(seen) < n:
            chunk = resp.read1(65536)
            if not chunk:
                return
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                if line.strip():
                    name = json.loads(line)["object"]["metadata"]["name"]
                    seen[name] = time.perf_counter()

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    w = APIConn(writer["kubeconfig"])
    sent = {}
    for i in range(n):
        name = f"lat-{i}-{int(time.time() * 1000)}"
        sent[name] = time.perf_counter()
        w.req("POST", "/api/v1/namespaces/bench/configmaps", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}})
        time.sleep(0.005)
    t.join(timeout=30)
    lat = [(seen[k] - sent[k]) * 1000 for k in sent if k in seen]
    return pct(lat, 50), pct(lat, 99), len(lat)


def holder(s):
    try:
        lease = json.loads(APIConn(s["kubeconfig"]).req("GET", "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager"))
        return lease["spec"].get("holderIdentity", "")
    except Exception:
        return ""


def failover(servers):
    """kill -9 the controller-manager leader; seconds until another server holds the lease."""
    h = ""
    for _ in range(100):
        h = holder(servers[0])
        if h:
            break
        time.sleep(0.1)
    leader = next(s for s in servers if h.startswith(os.path.basename(s["dir"]) + "_"))
    rest = [s for s in servers if s is not leader]
    t = time.time()
    leader["proc"].kill()
    leader["proc"].wait()
    while time.time() - t < 60:
        now = holder(rest[0])
        if now and now != h:
            return time.time() - t, leader, rest
        time.sleep(0.05)
    return float("nan"), leader, rest


def main():
    base = tempfile.mkdtemp(prefix="edgectl-ha-bench-")
    os.chmod(base, 0o755)
    results = {}
    etcd = EtcdCluster(base, members=1).start()
    pg = Postgres(base).start()
    try:
        for name, endpoint in [("sqlite", None), ("etcd", etcd.endpoint), ("postgres", pg.create_database("bench"))]:
            s = start(os.path.join(base, name), endpoint)
            time.sleep(3)
            idle = rss_mb(s["proc"].pid)
            results[f"edgectl on {name}"] = creates(s, name)
            results[f"idle RSS {name}"] = idle
            if endpoint:
                # A second server on the same datastore: writes on the first, events at a watcher on the second.
                b = start(os.path.join(base, f"{name}-b"), endpoint, join=s)
                results[f"watch across servers {name}"] = watch_latency(s, b)
                stop(b)
            stop(s)
        # Last: its keys are ConfigMaps-shaped, and a server started after would list and cache them all.
        results["etcd direct"] = etcd_direct(etcd.endpoint.replace("http://", ""))
    finally:
        etcd.stop()
        pg.stop()
    for k, v in results.items():
        print(f"{k}: {v}", flush=True)
    results = {}
    failover_dir = os.path.join(base, "failover")
    os.makedirs(failover_dir)
    etcd3 = EtcdCluster(failover_dir, members=3).start()
    try:
        times = []
        servers = [start(os.path.join(base, "f0"), etcd3.endpoint)]
        for i in (1, 2):
            servers.append(start(os.path.join(base, f"f{i}"), etcd3.endpoint, join=servers[0]))
        for round_ in range(3):
            took, leader, rest = failover(servers)
            times.append(round(took, 2))
            # Back to three servers: a new one joins a survivor.
            servers = rest + [start(os.path.join(base, f"f{3 + round_}"), etcd3.endpoint, join=rest[0])]
        for s in servers:
            stop(s)
        results["leader failover s"] = times
    finally:
        etcd3.stop()
    for k, v in results.items():
        print(f"{k}: {v}")


if __name__ == "__main__":
    try:
        main()
    finally:
        for p in STARTED:
            if p.poll() is None:
                p.kill()
