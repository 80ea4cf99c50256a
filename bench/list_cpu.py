#!/usr/bin/env python3
"""Server CPU per LIST, which a shared machine disturbs less than wall time:
for each binary, a fresh `edgectl server`, BENCH_LIST_N ConfigMaps (default 500,
1.5 KB each) in one namespace, then 40 LISTs of them; prints the server's CPU
time per LIST (from /proc) beside the wall-clock p50 and best.

Usage: list_cpu.py EDGECTL [EDGECTL ...]"""
import os
import shutil
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import api_bench as ab  # noqa: E402

N = int(os.environ.get("BENCH_LIST_N", "500"))


def main():
    for binary in sys.argv[1:]:
        proc, kubeconfig, d = ab.start_server(binary)
        try:
            c = ab.APIConn(kubeconfig)
            c.req("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "bench"}})
            ab.top_up(kubeconfig, c, N)
            time.sleep(2)
            c0 = ab.cpu_seconds(proc.pid)
            lat = []
            for _ in range(40):
                t = time.perf_counter()
                c.req("GET", f"/api/v1/namespaces/bench/configmaps?limit={N}")
                lat.append(time.perf_counter() - t)
            cpu = (ab.cpu_seconds(proc.pid) - c0) / 40
            print(f"{os.path.basename(binary)}: LIST of {N}: server CPU {cpu * 1000:.1f} ms per list; "
                  f"wall p50 {ab.pct(lat, 50) * 1000:.1f} ms, best {min(lat) * 1000:.1f} ms", flush=True)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=20)
            shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
