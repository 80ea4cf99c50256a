#!/usr/bin/env python3
"""Server memory with many idle API connections (issue 9 item 8): opens N TLS
connections from loopback, each with one request answered and then idle,
and reports the server's RSS before, with them open, and 5 s after they close.

  python3 bench/connection_memory.py .build/edgectl 19500 [extra server flags...]

Raise --max-connections (and the idle timeout) past N to measure a build with a
cap: e.g. `--max-connections 20000 --idle-timeout 10m`. The open-file limit of
both processes must exceed N (ulimit -n)."""
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "e2e"))
from raw_api import RawAPI  # noqa: E402


def rss_mb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    binary, n, extra = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    d = tempfile.mkdtemp(prefix="edgectl-connmem-")
    port = free_port()
    proc = subprocess.Popen([binary, "server", "--data-dir", d, "--bind-address", "127.0.0.1", "--https-listen-port", str(port),
                             "--disable-agent"] + extra, stdout=open(os.path.join(d, "log"), "w"), stderr=subprocess.STDOUT)
    try:
        kubeconfig = os.path.join(d, "kubeconfig.yaml")
        for _ in range(150):
            if os.path.exists(kubeconfig):
                api = RawAPI(kubeconfig)
                if api.ready():
                    break
            time.sleep(0.2)
        time.sleep(2)
        before = rss_mb(proc.pid)

        def open_one(_):
            try:
                s = api.tls_socket(timeout=30)
                s.sendall(b"GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n")
                s.recv(4096)
                return s
            except OSError:
                return None

        t = time.time()
        with ThreadPoolExecutor(8) as pool:
            socks = [s for s in pool.map(open_one, range(n)) if s is not None]
        opened = time.time() - t
        time.sleep(2)
        during = rss_mb(proc.pid)
        for s in socks:
            s.close()
        time.sleep(5)
        after = rss_mb(proc.pid)
        alive = proc.poll() is None and api.ready()
        print(f"connections opened: {len(socks)} of {n} in {opened:.0f}s")
        print(f"server RSS MB: before {before:.1f}, with them open {during:.1f} "
              f"({(during - before) * 1024 / max(1, len(socks)):.1f} KB each), 5 s after they closed {after:.1f}")
        print(f"server still answering: {alive}")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
