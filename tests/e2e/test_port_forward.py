"""kubectl port-forward through the API server to the agent and into the pod's
network namespace (pods have a loopback-only network here, so nothing but the
forward can reach them): pod/x and svc/x, several connections at once, a clean
close, an error kubectl prints for a port nothing listens on, and both
upgrades kubectl may use (WebSocket tunnelling SPDY, plain SPDY). Root only."""
import json
import os
import shutil
import socket
import subprocess
import threading
import urllib.request

import pytest

from conftest import KUBECTL, free_port, wait_for
from agent_node import agent_node
from local_registry import serving_images

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("docker-registry") or not shutil.which("skopeo"),
                                reason="pods need root, docker-registry and skopeo")


@pytest.fixture(scope="module")
def registry():
    with serving_images() as r:
        yield r


@pytest.fixture(scope="module")
def node(registry):
    with agent_node("edgectl-pf-", "pf-node") as (s, k):
        page = "<h1>served from inside the pod</h1>"
        k.run("apply", "-f", "-", input=json.dumps({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "labels": {"app": "web"}},
            "spec": {"terminationGracePeriodSeconds": 1, "containers": [{
                "name": "httpd", "image": registry.image("busybox"),
                "command": ["sh", "-c", f"mkdir -p /www && echo '{page}' > /www/index.html && head -c 300000 /dev/zero | tr '\\000' x > /www/big "
                                        "&& exec httpd -f -p 8080 -h /www"],
                "ports": [{"name": "http", "containerPort": 8080}],
                "readinessProbe": {"tcpSocket": {"port": 8080}, "periodSeconds": 1}}]}}))
        k.run("apply", "-f", "-", input=json.dumps({
            "apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
            "spec": {"selector": {"app": "web"}, "ports": [{"name": "http", "port": 80, "targetPort": "http"}]}}))
        k.run("wait", "--for=condition=Ready", "pod/web", "--timeout=60s", timeout=70)
        yield s, k, page


class Forward:
    """`kubectl port-forward` in the background, ready once it prints its Forwarding line."""

    def __init__(self, kubeconfig, target, ports, env=None, verbose=False):
        self.local = free_port()
        args = [KUBECTL, "--kubeconfig", kubeconfig, "port-forward", target, f"{self.local}:{ports}"] + (["-v=8"] if verbose else [])
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ, **(env or {})))
        self.out = []
        threading.Thread(target=lambda: self.out.extend(self.proc.stdout), daemon=True).start()
        self.err = []
        threading.Thread(target=lambda: self.err.extend(self.proc.stderr), daemon=True).start()
        wait_for(lambda: any("Forwarding from" in l for l in self.out) or self.proc.poll() is not None, 20,
                 "kubectl port-forward to start", show=lambda: "".join(self.out + self.err)[-3000:])
        assert self.proc.poll() is None, "".join(self.out + self.err)

    def get(self, path="/"):
        return urllib.request.urlopen(f"http://127.0.0.1:{self.local}{path}", timeout=10).read().decode()

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def test_pod_port_forward_carries_http_requests(node):
    s, k, page = node
    f = Forward(s.kubeconfig, "pod/web", "8080", verbose=True)
    try:
        assert page in f.get()
        assert f.get("/big") == "x" * 300000, "large answers arrive whole"
        # Several connections at once through one session.
        results = []
        threads = [threading.Thread(target=lambda: results.append(f.get())) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert len(results) == 8 and all(page in r for r in results)
        # kubectl 1.37 asks for the WebSocket tunnel first.
        assert any("SPDY/3.1+portforward.k8s.io" in l for l in f.err), "".join(f.err)[-2000:]
    finally:
        f.stop()
    assert not any("error" in l.lower() and "forwarding" in l.lower() for l in f.err), "".join(f.err)[-2000:]


def test_service_port_forward_resolves_the_target_port(node):
    s, k, page = node
    f = Forward(s.kubeconfig, "svc/web", "80")
    try:
        assert page in f.get()
    finally:
        f.stop()


def test_plain_spdy_upgrade_works_too(node):
    """kubectl falls back to SPDY when the WebSocket upgrade is refused; forced here."""
    s, k, page = node
    f = Forward(s.kubeconfig, "pod/web", "8080", env={"KUBECTL_PORT_FORWARD_WEBSOCKETS": "false"})
    try:
        assert page in f.get()
    finally:
        f.stop()


def test_a_port_nothing_listens_on_is_reported_by_kubectl(node):
    s, k, page = node
    f = Forward(s.kubeconfig, "pod/web", "9999")
    try:
        with socket.create_connection(("127.0.0.1", f.local), timeout=10) as c:
            c.settimeout(10)
            assert c.recv(100) == b"", "the connection is closed"
        wait_for(lambda: any("error forwarding port 9999" in l for l in f.err), 10, "kubectl's error line",
                 show=lambda: "".join(f.err)[-2000:])
        assert "connection refused" in "".join(f.err)
        assert f.proc.poll() is None or "lost connection" in "".join(f.err)
    finally:
        f.stop()


def test_port_forward_without_an_upgrade_is_a_bad_request(node):
    s, k, page = node
    r = k.run("get", "--raw", "/api/v1/namespaces/default/pods/web/portforward", check=False)
    assert r.returncode != 0 and "Upgrade request required" in r.stderr, r.stderr
