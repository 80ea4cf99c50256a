#!/usr/bin/env python3
"""Server CPU per create, which a shared machine disturbs less than wall time:
for each binary in turn (BENCH_ROUNDS rounds, interleaved so every build meets
the same neighbours), a fresh `edgectl server`, then a fixed number of ConfigMap
creates (1.5 KB each, as api_bench's) from 1 client and then from 16 clients;
prints the server's CPU time per create (from /proc) and its threads' context
switches per create (each a thread that slept and was woken: the hand-offs
between event loops, the task pool and the store) beside the creates/s and
latencies of the same run, the clients' own CPU per create, and the load average.

The argument `etcd` measures etcd 3.4 the same way (api_bench's puts of the same
values over its JSON gateway): how much CPU the peer spends per write, and so how
far apart the two can be when the server and the clients share the same cores.

Usage: create_cpu.py EDGECTL|etcd [EDGECTL|etcd ...]
BENCH_SEQ_N (default 1000) sequential creates; BENCH_PAR_N (default 250) per client."""
import glob
import multiprocessing as mp
import resource
import os
import shutil
import signal
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import api_bench as ab  # noqa: E402

SEQ_N = int(os.environ.get("BENCH_SEQ_N", "1000"))
PAR_N = int(os.environ.get("BENCH_PAR_N", "250"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "1"))


def creator(kubeconfig, prefix, count, q):
    c = ab.APIConn(kubeconfig)
    lat = []
    for n in range(count):
        body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"{prefix}-{n}"}, "data": {"v": ab.VALUE}}
        t = time.perf_counter()
        c.req("POST", "/api/v1/namespaces/bench/configmaps", body)
        lat.append(time.perf_counter() - t)
    q.put(lat)


def switches(pid):
    """Voluntary context switches of all the server's threads so far."""
    n = 0
    for f in glob.glob(f"/proc/{pid}/task/*/status"):
        try:
            n += sum(int(line.split()[1]) for line in open(f) if line.startswith("voluntary_ctxt_switches"))
        except OSError:
            pass  # a thread that ended
    return n


def putter(endpoint, prefix, count, q):
    """api_bench's etcd put, a fixed number of times."""
    c = ab.http.client.HTTPConnection(*endpoint.split(":"))
    val = ab.base64.b64encode(ab.json.dumps({"data": {"v": ab.VALUE}}).encode()).decode()
    lat = []
    for n in range(count):
        key = ab.base64.b64encode(f"/registry/configmaps/bench/{prefix}-{n}".encode()).decode()
        t = time.perf_counter()
        c.request("POST", "/v3/kv/put", body=ab.json.dumps({"key": key, "value": val}))
        c.getresponse().read()
        lat.append(time.perf_counter() - t)
    q.put(lat)


def children_cpu():
    """CPU seconds of the joined child processes (the clients) so far."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(target, pid, prefix, clients, per_client, work=creator):
    """(server CPU µs per create, creates/s, p50 ms, p99 ms, context switches per create, client CPU µs per create)
    for clients × per_client creates."""
    q = mp.Queue()
    procs = [mp.Process(target=work, args=(target, f"{prefix}{i}", per_client, q)) for i in range(clients)]
    # Connections and TLS handshakes first would need a barrier; their cost is spread over the creates.
    k0 = children_cpu()
    c0 = ab.cpu_seconds(pid)
    s0 = switches(pid)
    t0 = time.perf_counter()
    for p in procs:
        p.start()
    lats = []
    for _ in procs:
        lats += q.get()
    wall = time.perf_counter() - t0
    cpu = ab.cpu_seconds(pid) - c0
    switched = switches(pid) - s0
    for p in procs:
        p.join()
    n = clients * per_client
    client_cpu = children_cpu() - k0
    return cpu / n * 1e6, n / wall, ab.pct(lats, 50) * 1000, ab.pct(lats, 99) * 1000, switched / n, client_cpu / n * 1e6


def one_etcd():
    etcd = shutil.which("etcd")
    if not etcd:
        sys.exit("etcd not installed (apt-get install etcd-server)")
    server = ab.LoopbackEtcd(etcd)
    with server as endpoint:
        pid = server.proc.pid
        seq = run(endpoint, pid, "seq", 1, SEQ_N, putter)
        par = run(endpoint, pid, "par", ab.CLIENTS, PAR_N, putter)
        return seq, par


def one(binary):
    if binary == "etcd":
        return one_etcd()
    proc, kubeconfig, d = ab.start_server(binary)
    try:
        c = ab.APIConn(kubeconfig)
        c.req("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "bench"}})
        time.sleep(2)
        seq = run(kubeconfig, proc.pid, "seq", 1, SEQ_N)
        par = run(kubeconfig, proc.pid, "par", ab.CLIENTS, PAR_N)
        return seq, par
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
        shutil.rmtree(d, ignore_errors=True)


def fmt(r):
    return (f"{r[0]:.0f} µs CPU/create, {r[4]:.1f} switches/create, {r[1]:.0f}/s (p50 {r[2]:.1f}, p99 {r[3]:.1f} ms); "
            f"clients {r[5]:.0f} µs CPU/create")


def main():
    results = {b: [] for b in sys.argv[1:]}
    for r in range(ROUNDS):
        for b in sys.argv[1:]:
            load = os.getloadavg()[0]
            seq, par = one(b)
            results[b].append((seq, par))
            print(f"round {r + 1} {b} (load {load:.2f}):\n  1 client:   {fmt(seq)}\n  {ab.CLIENTS} clients: {fmt(par)}", flush=True)
    if ROUNDS > 1:
        print("medians:")
        for b, rs in results.items():
            med = lambda i: tuple(statistics.median(x[i][k] for x in rs) for k in range(6))  # noqa: E731
            print(f"  {b}\n    1 client:   {fmt(med(0))}\n    {ab.CLIENTS} clients: {fmt(med(1))}")


if __name__ == "__main__":
    main()
