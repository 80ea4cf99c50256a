"""Issue 9 item 8: connection clocks and the connection cap on the real
binary. The timeouts are flags (--read-header-timeout, --idle-timeout; the
defaults are upstream's 32 s and 90 s) so this runs in seconds; the cap is
--max-connections, past which a client is told 429 with a Status and
Retry-After while the others keep being served."""
import json
import socket
import ssl
import subprocess
import tempfile
import time

import pytest

from conftest import EDGECTL, Server, free_port
from raw_api import RawAPI


def closed_within(sock, seconds):
    """True when the server closes the connection within `seconds` (reads until EOF); the bytes read come back too."""
    sock.settimeout(0.5)
    got = b""
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            chunk = sock.recv(65536)
        except (socket.timeout, TimeoutError):
            continue
        except (ConnectionResetError, ssl.SSLError, OSError):
            return True, got
        if not chunk:
            return True, got
        got += chunk
    return False, got


@pytest.fixture(scope="module")
def quick_server():
    with tempfile.TemporaryDirectory(prefix="edgectl-conn-") as d:
        s = Server(d, free_port(), extra_args=["--read-header-timeout", "2s", "--idle-timeout", "3s"]).start()
        yield s
        s.stop()


def test_idle_kept_alive_connection_is_closed_after_the_idle_timeout(quick_server):
    api = RawAPI(quick_server.kubeconfig)
    c = api.tls_socket()
    c.sendall(b"GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n")
    t = time.time()
    first = c.recv(4096)
    assert first.startswith(b"HTTP/1.1 200") and b"keep-alive" in first, first
    closed, _ = closed_within(c, 15)
    took = time.time() - t
    assert closed, "an idle connection must be closed"
    assert took >= 2.0, f"closed after {took:.1f}s: before the 3s idle timeout"


def test_a_request_in_progress_is_not_cut(quick_server):
    # A watch outlives both clocks: it ends by its own timeoutSeconds.
    api = RawAPI(quick_server.kubeconfig)
    status, _, _ = api.request("GET", "/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=6")
    assert status == 200


def test_slow_request_head_is_cut(quick_server):
    api = RawAPI(quick_server.kubeconfig)
    c = api.tls_socket()
    c.sendall(b"GET /readyz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    t = time.time()
    closed, got = closed_within(c, 15)
    assert closed and got == b"", got
    assert time.time() - t < 10
    # No TLS handshake at all: cut by the same clock.
    raw = socket.create_connection(("127.0.0.1", quick_server.port), timeout=5)
    t = time.time()
    closed, _ = closed_within(raw, 15)
    assert closed and time.time() - t < 10
    assert api.ready()


@pytest.fixture(scope="module")
def capped_server():
    with tempfile.TemporaryDirectory(prefix="edgectl-cap-") as d:
        s = Server(d, free_port(), extra_args=["--max-connections", "12"]).start()
        yield s
        s.stop()


def test_connections_past_the_cap_are_refused_clearly(capped_server):
    api = RawAPI(capped_server.kubeconfig)
    held = []
    # The server's own controllers talk to it in-process: every connection here counts.
    for _ in range(12):
        s = api.tls_socket()
        held.append(s)
    time.sleep(0.3)
    extra = api.tls_socket()
    extra.sendall(b"GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\n\r\n")
    closed, got = closed_within(extra, 10)
    assert closed, got
    head, _, body = got.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 429"), got[:300]
    assert b"Retry-After: 1" in head
    status = json.loads(body)
    assert status["kind"] == "Status" and status["reason"] == "TooManyRequests" and status["code"] == 429
    assert "--max-connections" in status["message"]
    # The connections already in are served.
    held[0].sendall(b"GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n")
    assert held[0].recv(4096).startswith(b"HTTP/1.1 200")
    # Places free up as connections close.
    for s in held:
        s.close()
    time.sleep(0.5)
    assert api.ready()
    status, _ = api.json("GET", "/api/v1/namespaces")
    assert status == 200


def test_flags_are_checked():
    r = subprocess.run([EDGECTL, "server", "--read-header-timeout", "soon", "--data-dir", tempfile.mkdtemp()],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode != 0 and "--read-header-timeout" in r.stderr
    r = subprocess.run([EDGECTL, "server", "--help"], capture_output=True, text=True, timeout=30)
    for flag in ["--read-header-timeout", "--idle-timeout", "--max-connections"]:
        assert flag in r.stdout
