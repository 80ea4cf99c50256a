#!/usr/bin/env python3
"""Store and API benchmarks, each beside its peer in the same run:
edgectl's API (creates/s sequential and 16 clients, GET/LIST latency, watch
delivery latency, server RSS before, after and 60 s after the load) vs etcd 3.4
through its v3 JSON gateway with the same value size vs raw SQLite inserts at
the same durability (the limit).

Usage: api_bench.py EDGECTL [EDGECTL ...]. With several binaries (say a build
from before a change and one from after) each round runs raw SQLite, etcd and
every binary in turn, so all of them meet the same load on a shared machine;
BENCH_ROUNDS rounds (default 1) and the median of each figure over the rounds.
BENCH_PIN=0 runs the servers (edgectl, etcd) and the raw SQLite loop pinned to
CPU 0 (`taskset -c 0`), a stand-in for a board's slower cores; the clients are
not pinned. BENCH_SETTLE (default 60) is how long to wait after the load
before the last RSS reading."""
import base64
import http.client
import json
import multiprocessing as mp
import os
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import threading
import time

import yaml

VALUE = "x" * 1500
DURATION = float(os.environ.get("BENCH_SECONDS", "5"))
CLIENTS = 16
PIN = os.environ.get("BENCH_PIN")
SETTLE = float(os.environ.get("BENCH_SETTLE", "60"))


def pinned(argv):
    """The command, run on CPU BENCH_PIN when it is set."""
    return (["taskset", "-c", PIN] + argv) if PIN else argv


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p / 100))] if xs else float("nan")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------- edgectl API over HTTPS with the admin client certificate ----------

class APIConn:
    def __init__(self, kubeconfig):
        cfg = yaml.safe_load(open(kubeconfig))
        cluster = cfg["clusters"][0]["cluster"]
        user = cfg["users"][0]["user"]
        d = tempfile.mkdtemp()
        for k, name in [("certificate-authority-data", "ca"), ("client-certificate-data", "crt"), ("client-key-data", "key")]:
            src = cluster if k.startswith("certificate-authority") else user
            open(os.path.join(d, name), "wb").write(base64.b64decode(src[k]))
        ctx = ssl.create_default_context(cafile=os.path.join(d, "ca"))
        ctx.load_cert_chain(os.path.join(d, "crt"), os.path.join(d, "key"))
        host = cluster["server"].split("//")[1]
        h, p = host.rsplit(":", 1)
        self.conn = http.client.HTTPSConnection(h, int(p), context=ctx)

    def req(self, method, path, body=None, content_type="application/json"):
        self.conn.request(method, path, body=json.dumps(body) if body is not None else None,
                          headers={"Content-Type": content_type})
        r = self.conn.getresponse()
        data = r.read()
        if r.status >= 300:
            raise RuntimeError(f"{method} {path}: {r.status} {data[:200]}")
        return data


def fifty_field_cronjob(i):
    """A suspended CronJob (no controller acts on its edits) with 50 fields, 40 of them an env list
    merged by name: what a server-side apply has to walk, merge and record."""
    env = [{"name": f"VAR_{k}", "value": f"{i if k == 0 else k}"} for k in range(40)]
    return {"apiVersion": "batch/v1", "kind": "CronJob",
            "metadata": {"name": "fifty", "labels": {"app": "fifty", "tier": "bench"}},
            "spec": {"schedule": "0 0 1 1 *", "suspend": True, "successfulJobsHistoryLimit": 1,
                     "jobTemplate": {"spec": {"backoffLimit": 1, "template": {"spec": {
                         "restartPolicy": "Never",
                         "containers": [{"name": "job", "image": "busybox:1.36", "command": ["true"], "env": env}]}}}}}}


def bench_apply_vs_merge(c, results):
    """Server-side apply of the 50-field object vs a JSON merge patch of it, one value changed each time."""
    path = "/apis/batch/v1/namespaces/bench/cronjobs/fifty"
    try:
        c.req("PATCH", path + "?fieldManager=bench", fifty_field_cronjob(0), "application/apply-patch+yaml")
    except RuntimeError as e:  # an older build (bench/compare_builds.py) without server-side apply
        results["edgectl server-side apply/s vs merge patch/s (50-field object)"] = f"not served ({str(e)[:60]})"
        return
    rates = {}
    for label, query, ctype in [("apply", "?fieldManager=bench", "application/apply-patch+yaml"),
                                ("merge", "", "application/merge-patch+json")]:
        n = 0
        end = time.time() + DURATION
        lat = []
        while time.time() < end:
            n += 1
            t = time.perf_counter()
            c.req("PATCH", path + query, fifty_field_cronjob(n), ctype)
            lat.append(time.perf_counter() - t)
        rates[label] = (n / DURATION, lat)
    (a, al), (m, ml) = rates["apply"], rates["merge"]
    results["edgectl server-side apply/s vs merge patch/s (50-field object)"] = (
        f"{a:.0f} vs {m:.0f} ({a / m:.0%}; p50 {pct(al, 50)*1000:.1f} vs {pct(ml, 50)*1000:.1f} ms)")


def api_creator(kubeconfig, prefix, seconds, q):
    c = APIConn(kubeconfig)
    lat = []
    n = 0
    end = time.time() + seconds
    while time.time() < end:
        body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"{prefix}-{n}"}, "data": {"v": VALUE}}
        t = time.perf_counter()
        c.req("POST", "/api/v1/namespaces/bench/configmaps", body)
        lat.append(time.perf_counter() - t)
        n += 1
    q.put(lat)


def etcd_putter(endpoint, prefix, seconds, q):
    h, p = endpoint.split(":")
    c = http.client.HTTPConnection(h, int(p))
    lat = []
    n = 0
    end = time.time() + seconds
    val = base64.b64encode(json.dumps({"data": {"v": VALUE}}).encode()).decode()
    while time.time() < end:
        key = base64.b64encode(f"/registry/configmaps/bench/{prefix}-{n}".encode()).decode()
        t = time.perf_counter()
        c.request("POST", "/v3/kv/put", body=json.dumps({"key": key, "value": val}))
        r = c.getresponse()
        r.read()
        lat.append(time.perf_counter() - t)
        n += 1
    q.put(lat)


def run_clients(target, args_for, clients):
    q = mp.Queue()
    procs = [mp.Process(target=target, args=args_for(i) + (DURATION, q)) for i in range(clients)]
    for p in procs:
        p.start()
    lats = []
    for _ in procs:
        lats += q.get()
    for p in procs:
        p.join()
    return len(lats) / DURATION, lats


def rss_mb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")


def start_server(binary, command=None, timeout=30, prefix="edgectl-bench-"):
    """A fresh `edgectl server` on loopback; returns (process, kubeconfig path, data dir) once it
    answers. `command` replaces the pinned binary (board_bench runs it under qemu-user, slower
    to start: hence `timeout`)."""
    d = tempfile.mkdtemp(prefix=prefix)
    port = free_port()
    proc = subprocess.Popen((command or pinned([binary])) + ["server", "--data-dir", d, "--bind-address", "127.0.0.1",
                                                          "--https-listen-port", str(port), "--disable-agent"],
                            stdout=open(os.path.join(d, "log"), "w"), stderr=subprocess.STDOUT)
    kubeconfig = os.path.join(d, "kubeconfig.yaml")
    deadline = time.time() + timeout
    while time.time() < deadline:
        if os.path.exists(kubeconfig):
            try:
                APIConn(kubeconfig).req("GET", "/readyz")
                return proc, kubeconfig, d
            except Exception:
                pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("edgectl server did not start: see " + os.path.join(d, "log"))


def top_up_worker(kubeconfig, prefix, count, q):
    c = APIConn(kubeconfig)
    for n in range(count):
        body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"{prefix}-{n}"}, "data": {"v": VALUE}}
        c.req("POST", "/api/v1/namespaces/bench/configmaps", body)
    q.put(count)


def top_up(kubeconfig, c, want):
    """Creates ConfigMaps in the bench namespace until it holds at least `want` (a loaded machine may have made fewer)."""
    have = len(json.loads(c.req("GET", f"/api/v1/namespaces/bench/configmaps?limit={want}"))["items"])
    missing = want - have
    if missing <= 0:
        return
    q = mp.Queue()
    per = (missing + 7) // 8
    procs = [mp.Process(target=top_up_worker, args=(kubeconfig, f"fill{i}", per, q)) for i in range(8)]
    for p in procs:
        p.start()
    for _ in procs:
        q.get()
    for p in procs:
        p.join()


def bench_edgectl(binary, results):
    proc, kubeconfig, d = start_server(binary)
    try:
        time.sleep(3)
        c0 = cpu_seconds(proc.pid)
        time.sleep(10)
        results["edgectl idle CPU (% of a core, 10 s)"] = f"{(cpu_seconds(proc.pid) - c0) / 10 * 100:.2f}"
        results["edgectl idle RSS (MB)"] = f"{rss_mb(proc.pid):.1f}"
        c = APIConn(kubeconfig)
        c.req("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "bench"}})
        rate, lats = run_clients(api_creator, lambda i: (kubeconfig, f"seq{i}"), 1)
        results["edgectl creates/s, 1 client"] = f"{rate:.0f} (p50 {pct(lats, 50)*1000:.1f} ms, p99 {pct(lats, 99)*1000:.1f} ms)"
        rate, lats = run_clients(api_creator, lambda i: (kubeconfig, f"par{i}"), CLIENTS)
        results[f"edgectl creates/s, {CLIENTS} clients"] = f"{rate:.0f} (p50 {pct(lats, 50)*1000:.1f} ms, p99 {pct(lats, 99)*1000:.1f} ms)"
        results["edgectl RSS right after the creates (MB)"] = f"{rss_mb(proc.pid):.1f}"
        gl = []
        for i in range(500):
            t = time.perf_counter()
            c.req("GET", f"/api/v1/namespaces/bench/configmaps/seq0-{i % 50}")
            gl.append(time.perf_counter() - t)
        results["edgectl GET p50/p99 (ms)"] = f"{pct(gl, 50)*1000:.2f} / {pct(gl, 99)*1000:.2f}"
        ll = []
        for i in range(50):
            t = time.perf_counter()
            c.req("GET", "/api/v1/namespaces/bench/configmaps?limit=500")
            ll.append(time.perf_counter() - t)
        results["edgectl LIST 500 items p50/p99 (ms)"] = f"{pct(ll, 50)*1000:.1f} / {pct(ll, 99)*1000:.1f}"
        top_up(kubeconfig, c, 5000)
        ll = []
        for i in range(20):
            t = time.perf_counter()
            c.req("GET", "/api/v1/namespaces/bench/configmaps?limit=5000")
            ll.append(time.perf_counter() - t)
        results["edgectl LIST 5,000 items p50/p99 (ms)"] = f"{pct(ll, 50)*1000:.1f} / {pct(ll, 99)*1000:.1f}"
        results["edgectl watch delivery p50/p99 (ms)"] = watch_latency(kubeconfig)
        bench_apply_vs_merge(c, results)
        results["edgectl RSS after load incl. LISTs (MB)"] = f"{rss_mb(proc.pid):.1f}"
        time.sleep(SETTLE)
        results[f"edgectl RSS {SETTLE:.0f} s after load (MB)"] = f"{rss_mb(proc.pid):.1f}"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
        shutil.rmtree(d, ignore_errors=True)


def watch_events(resp):
    """The events of a watch response, one decoded JSON object per line, until the stream ends."""
    buf = b""
    while True:
        chunk = resp.read1(1 << 20)
        if not chunk:
            return
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            yield json.loads(line)


def watch_latency(kubeconfig):
    c = APIConn(kubeconfig)
    rv = json.loads(c.req("GET", "/api/v1/namespaces/bench/configmaps?limit=1"))["metadata"]["resourceVersion"]
    w = APIConn(kubeconfig)
    w.conn.request("GET", f"/api/v1/namespaces/bench/configmaps?watch=true&resourceVersion={rv}")
    resp = w.conn.getresponse()
    sent = {}
    got = []
    done = threading.Event()

    def reader():
        for ev in watch_events(resp):
            name = ev["object"]["metadata"]["name"]
            if name in sent:
                got.append(time.perf_counter() - sent[name])
                if len(got) >= 200:
                    done.set()
                    return

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    for i in range(200):
        name = f"watch-{i}"
        sent[name] = time.perf_counter()
        c.req("POST", "/api/v1/namespaces/bench/configmaps", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}})
    done.wait(20)
    return f"{pct(got, 50)*1000:.2f} / {pct(got, 99)*1000:.2f}" if got else "no events"


class LoopbackEtcd:
    """etcd 3.4 on two free loopback ports, its data in a temp dir, entered once it answers; yields its
    client endpoint (host:port) and is stopped and removed on exit."""

    def __init__(self, etcd):
        self.etcd = etcd

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="etcd-bench-")
        cport, pport = free_port(), free_port()
        self.proc = subprocess.Popen(pinned([self.etcd, "--data-dir", self.dir, "--listen-client-urls", f"http://127.0.0.1:{cport}",
                                             "--advertise-client-urls", f"http://127.0.0.1:{cport}",
                                             "--listen-peer-urls", f"http://127.0.0.1:{pport}"]),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                c = http.client.HTTPConnection("127.0.0.1", cport)
                c.request("POST", "/v3/kv/range", body=json.dumps({"key": "eA=="}))
                if c.getresponse().status == 200:
                    break
            except Exception:
                pass
            time.sleep(0.2)
        return f"127.0.0.1:{cport}"

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(timeout=20)
        shutil.rmtree(self.dir, ignore_errors=True)


def bench_etcd(results):
    etcd = shutil.which("etcd")
    if not etcd:
        results["etcd creates/s"] = "etcd not installed (apt-get install etcd-server)"
        return
    server = LoopbackEtcd(etcd)
    with server as ep:
        rate, lats = run_clients(etcd_putter, lambda i: (ep, f"seq{i}"), 1)
        results["etcd 3.4 puts/s, 1 client"] = f"{rate:.0f} (p50 {pct(lats, 50)*1000:.1f} ms, p99 {pct(lats, 99)*1000:.1f} ms)"
        rate, lats = run_clients(etcd_putter, lambda i: (ep, f"par{i}"), CLIENTS)
        results[f"etcd 3.4 puts/s, {CLIENTS} clients"] = f"{rate:.0f} (p50 {pct(lats, 50)*1000:.1f} ms, p99 {pct(lats, 99)*1000:.1f} ms)"
        results["etcd RSS after load (MB)"] = f"{rss_mb(server.proc.pid):.1f}"


def bench_sqlite(results):
    if PIN:
        before = os.sched_getaffinity(0)
        os.sched_setaffinity(0, {int(PIN)})
        try:
            return bench_sqlite_here(results)
        finally:
            os.sched_setaffinity(0, before)
    return bench_sqlite_here(results)


def bench_sqlite_here(results):
    d = tempfile.mkdtemp(prefix="sqlite-bench-")
    db = sqlite3.connect(os.path.join(d, "t.db"), isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    for sync in ["FULL", "NORMAL"]:
        db.execute(f"PRAGMA synchronous={sync}")
        db.execute("CREATE TABLE IF NOT EXISTS kv(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT, value BLOB)")
        n = 0
        end = time.time() + DURATION
        while time.time() < end:
            db.execute("BEGIN")
            db.execute("INSERT INTO kv(name, value) VALUES(?, ?)", (f"k{n}", VALUE))
            db.execute("COMMIT")
            n += 1
        results[f"raw SQLite WAL commits/s, synchronous={sync}"] = f"{n / DURATION:.0f}"
    shutil.rmtree(d, ignore_errors=True)


def median_figure(values):
    """The median of figures like "3806 (p50 3.8 ms, p99 9.1 ms)" or "0.28 / 0.43", number by number."""
    import re
    parsed = [re.split(r"(-?\d+(?:\.\d+)?)", v) for v in values]
    if len({len(p) for p in parsed}) != 1 or len(parsed[0]) < 2:
        return values[len(values) // 2]
    out = []
    for i, part in enumerate(parsed[0]):
        if i % 2 == 0:
            out.append(part)
        else:
            nums = sorted(float(p[i]) for p in parsed)
            m = nums[len(nums) // 2]
            decimals = len(part.split(".")[1]) if "." in part else 0
            out.append(f"{m:.{decimals}f}")
    return "".join(out)


def main():
    binaries = sys.argv[1:]
    rounds = int(os.environ.get("BENCH_ROUNDS", "1"))
    runs = []
    for r in range(rounds):
        results = {}
        bench_sqlite(results)
        bench_etcd(results)
        for i, binary in enumerate(binaries):
            got = {}
            bench_edgectl(binary, got)
            got["edgectl stripped binary (MB)"] = f"{os.path.getsize(binary) / 1e6:.1f}"
            label = "" if len(binaries) == 1 else f"[{i + 1}: {os.path.basename(binary)}] "
            results.update({(label + k if k.startswith("edgectl") else k): v for k, v in got.items()})
        runs.append(results)
        if rounds > 1:
            print(f"round {r + 1}: " + json.dumps(results), flush=True)
    keys = list(runs[0])
    merged = {k: median_figure([run[k] for run in runs if k in run]) for k in keys}
    if rounds > 1:
        print(f"medians of {rounds} rounds" + (f", servers pinned to CPU {PIN}" if PIN else ""))
    width = max(len(k) for k in merged)
    for k, v in merged.items():
        print(f"{k.ljust(width)}  {v}")
    json.dump({"medians": merged, "rounds": runs}, open(os.environ.get("BENCH_OUT", "/tmp/edgectl-bench.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
