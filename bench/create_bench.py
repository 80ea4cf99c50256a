#!/usr/bin/env python3
"""api_bench's create measurements alone, in interleaved rounds: each round raw SQLite
(synchronous=FULL), etcd 3.4 and then every binary given, with api_bench's own clients
(1 client, then 16, BENCH_SECONDS each), so each figure stands beside its peers from the
same minutes; medians over BENCH_ROUNDS rounds (default 3). For A/B of the write path
without the LIST, watch and memory parts of api_bench.

Usage: create_bench.py EDGECTL [EDGECTL ...]"""
import os
import shutil
import signal
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import api_bench as ab  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))


def etcd_round(add):
    etcd = shutil.which("etcd")
    if not etcd:
        return
    with ab.LoopbackEtcd(etcd) as ep:
        add("etcd 3.4 puts/s, 1 client", *ab.run_clients(ab.etcd_putter, lambda i: (ep, f"seq{i}"), 1))
        add(f"etcd 3.4 puts/s, {ab.CLIENTS} clients", *ab.run_clients(ab.etcd_putter, lambda i: (ep, f"par{i}"), ab.CLIENTS))


def edgectl_round(binary, add):
    proc, kubeconfig, d = ab.start_server(binary)
    try:
        time.sleep(3)
        ab.APIConn(kubeconfig).req("POST", "/api/v1/namespaces",
                                   {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "bench"}})
        n = os.path.basename(binary)
        add(f"[{n}] creates/s, 1 client", *ab.run_clients(ab.api_creator, lambda i: (kubeconfig, f"seq{i}"), 1))
        add(f"[{n}] creates/s, {ab.CLIENTS} clients", *ab.run_clients(ab.api_creator, lambda i: (kubeconfig, f"par{i}"), ab.CLIENTS))
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
        shutil.rmtree(d, ignore_errors=True)


def main():
    rows = {}

    def add(key, rate, lats):
        rows.setdefault(key, []).append((rate, ab.pct(lats, 50) * 1000, ab.pct(lats, 99) * 1000))

    for r in range(ROUNDS):
        load = os.getloadavg()[0]
        raw = {}
        ab.bench_sqlite(raw)
        rows.setdefault("raw SQLite FULL commits/s", []).append((float(raw["raw SQLite WAL commits/s, synchronous=FULL"]), 0.0, 0.0))
        etcd_round(add)
        for b in sys.argv[1:]:
            edgectl_round(b, add)
        print(f"round {r + 1} (load average {load:.2f} before): "
              + "; ".join(f"{k} {v[-1][0]:.0f} (p99 {v[-1][2]:.1f} ms)" for k, v in rows.items()), flush=True)
    print(f"medians of {ROUNDS} rounds:")
    width = max(len(k) for k in rows)
    for k, v in rows.items():
        med = [statistics.median(x[i] for x in v) for i in range(3)]
        print(f"  {k.ljust(width)}  {med[0]:.0f}" + ("" if k.startswith("raw") else f" (p50 {med[1]:.1f} ms, p99 {med[2]:.1f} ms)"))


if __name__ == "__main__":
    main()
