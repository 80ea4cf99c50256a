#!/usr/bin/env python3
"""The board binaries under qemu-user beside the x86_64 binary, in the same run:
API creates/s (1 and 16 clients) and GET latency, each server on loopback with its
SQLite store and TLS. Emulation says nothing absolute about a board; the ratios to
the native binary show whether a cross build lost anything it should not (a slow
path, a lock, a 32-bit trap) and roughly what qemu costs.

usage: bench/board_bench.py X86_64-BINARY [CROSS-DIR]   (BENCH_SECONDS, default 5)
"""
import os
import signal
import subprocess
import sys
import time
import shutil

sys.path.insert(0, os.path.dirname(__file__))
from api_bench import APIConn, CLIENTS, api_creator, pct, run_clients, start_server  # noqa: E402


def measure(command):
    proc, kubeconfig, d = start_server(None, command=command, timeout=240, prefix="edgectl-board-bench-")
    try:
        time.sleep(2)
        c = APIConn(kubeconfig)
        c.req("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "bench"}})
        one, lat1 = run_clients(api_creator, lambda i: (kubeconfig, f"seq{i}"), 1)
        many, latn = run_clients(api_creator, lambda i: (kubeconfig, f"par{i}"), CLIENTS)
        gets = []
        for i in range(300):
            t = time.perf_counter()
            c.req("GET", f"/api/v1/namespaces/bench/configmaps/seq0-{i % 20}")
            gets.append(time.perf_counter() - t)
        return {"creates1": one, "creates16": many, "create_p50": pct(lat1, 50) * 1000,
                "get_p50": pct(gets, 50) * 1000, "get_p99": pct(gets, 99) * 1000}
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(d, ignore_errors=True)


def main():
    native = sys.argv[1]
    cross = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(native), "cross")
    targets = [("x86_64 (native)", [native]),
               ("aarch64 (qemu-aarch64, cortex-a72)", ["qemu-aarch64-static", "-cpu", "cortex-a72", os.path.join(cross, "edgectl-linux-arm64")]),
               ("aarch64 (qemu-aarch64, max: LSE atomics)", ["qemu-aarch64-static", os.path.join(cross, "edgectl-linux-arm64")]),
               ("armv7 (qemu-arm, cortex-a7)", ["qemu-arm-static", "-cpu", "cortex-a7", os.path.join(cross, "edgectl-linux-armv7")])]
    rows = []
    base = None
    for name, command in targets:
        r = measure(command)
        base = base or r
        rows.append((name, r))
        print(f"{name}: {r}", flush=True)
    print()
    print(f"| binary | creates/s, 1 client | creates/s, {CLIENTS} clients | create p50 | GET p50 / p99 | relative to x86_64: creates (16) / GET p50 |")
    print("|---|---|---|---|---|---|")
    for name, r in rows:
        print(f"| {name} | {r['creates1']:.0f} | {r['creates16']:.0f} | {r['create_p50']:.1f} ms | {r['get_p50']:.2f} / {r['get_p99']:.2f} ms "
              f"| {r['creates16'] / base['creates16']:.2f}x / {r['get_p50'] / base['get_p50']:.1f}x |")


if __name__ == "__main__":
    main()
