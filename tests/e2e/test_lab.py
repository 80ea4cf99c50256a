"""Joining across network namespaces (scripts/lab): a node in its own namespace
joins the real server with a fresh token; a wrong hash, a wrong token and an
expired token each fail with a message naming the problem and the fix, and
leave no credentials behind. Root only: the lab creates network namespaces."""
import json
import re
import os
import shutil
import stat
import subprocess
import tempfile
import time

import pytest

from conftest import EDGECTL
from lab import Lab, SERVER_IP, PORT, SynCounter, node_ip, unavailable

pytestmark = pytest.mark.skipif(unavailable() is not None, reason=unavailable() or "")

WRONG_HASH = "sha256:" + "0" * 64
# A bootstrap-shaped token with no Secret behind it: any request carrying it is answered 401.
UNKNOWN_TOKEN = "zzzzzz.0123456789abcdef"

# GET a URL from inside a namespace without verifying the server; prints the status code.
PROBE = """
import ssl, sys, urllib.request, urllib.error
h = {"Authorization": "Bearer " + sys.argv[2]} if len(sys.argv) > 2 else {}
try:
    print(urllib.request.urlopen(urllib.request.Request(sys.argv[1], headers=h), context=ssl._create_unverified_context(), timeout=10).status)
except urllib.error.HTTPError as e:
    print(e.code)
"""


@pytest.fixture(scope="module")
def lab():
    d = tempfile.mkdtemp(prefix="edgelab-e2e-")
    lab = Lab(f"edgelab-t{os.getpid()}", os.path.join(d, "lab"))
    try:
        lab.up(nodes=2)
        yield lab
    finally:
        # Runs on failures too; the namespaces, their processes and veths must be gone.
        lab.tear_down(d)


def files_under(d):
    return [os.path.join(r, f) for r, _, fs in os.walk(d) for f in fs]


def bootstrap_csrs(lab, token):
    items = json.loads(lab.kubectl("get", "csr", "-o", "json").stdout)["items"]
    return [i["metadata"]["name"] for i in items if i["spec"]["username"] == "system:bootstrap:" + token.split(".")[0]]


def test_lab_topology_keeps_the_root_namespace_out(lab):
    names = lab.namespaces()
    assert names == sorted(f"{lab.prefix}-{n}" for n in ["net", "server", "node1", "node2"]), names
    root = subprocess.run(["ip", "-4", "addr"], capture_output=True, text=True).stdout
    assert "10.250.0." not in root, "the lab range must never appear in the root namespace"
    eth0 = lab.run("node2", "ip", "-4", "-o", "addr", "show", "eth0", check=True).stdout
    assert f"{node_ip('node2')}/24" in eth0
    routes = subprocess.run(["ip", "-4", "route"], capture_output=True, text=True).stdout
    assert "10.250.0." not in routes, routes
    # Nodes reach the server across the bridge.
    assert lab.run("node2", "python3", "-c", PROBE, f"https://{SERVER_IP}:{PORT}/readyz").stdout.strip() in ("200", "401")


def test_server_bound_to_its_lab_address_advertises_it(lab):
    """Every address a joining machine or a pod is given is the bound lab address, not loopback."""
    want = f"https://{SERVER_IP}:{PORT}"
    info = json.loads(lab.kubectl("get", "configmap", "-n", "kube-public", "cluster-info", "-o", "json").stdout)
    assert f"server: {want}" in info["data"]["kubeconfig"], info["data"]["kubeconfig"]
    ep = json.loads(lab.kubectl("get", "endpoints", "kubernetes", "-o", "json").stdout)
    assert [a["ip"] for a in ep["subsets"][0]["addresses"]] == [SERVER_IP], ep
    assert lab.token()[0] == want
    # stdout is a file here: the log says how to get a join line (flushed while the server runs), and holds no token.
    log = os.path.join(lab.dir, "server.log")
    deadline = time.time() + 10
    while "edgectl token create" not in open(log).read():
        assert time.time() < deadline, "no join hint in the server log:\n" + open(log).read()
        time.sleep(0.2)
    assert not re.search(r"[a-z0-9]{6}\.[a-z0-9]{16}", open(log).read()), "a join token reached the log"


def test_node_in_its_own_namespace_joins_and_is_ready(lab):
    r = lab.script("join", "node1")
    assert "node1 joined and is Ready" in r.stdout, r.stdout + r.stderr
    node = json.loads(lab.kubectl("get", "node", "node1", "-o", "json").stdout)
    assert any(c["type"] == "Ready" and c["status"] == "True" for c in node["status"]["conditions"]), node["status"]
    # Not passed on the command line: the agent found its own (only) address in its namespace.
    assert {"type": "InternalIP", "address": node_ip("node1")} in node["status"]["addresses"], node["status"]["addresses"]
    wide = lab.kubectl("get", "nodes", "-o", "wide").stdout
    assert "node1" in wide and node_ip("node1") in wide, wide

    d = os.path.join(lab.dir, "node1")
    for f in ["tls/client.key", "tls/client.crt", "tls/ca.crt", "kubeconfig.yaml"]:
        assert stat.S_IMODE(os.stat(os.path.join(d, f)).st_mode) == 0o600, f
    subject = subprocess.run(["openssl", "x509", "-noout", "-subject", "-in", os.path.join(d, "tls/client.crt")],
                             capture_output=True, text=True, check=True).stdout
    assert "CN = system:node:node1" in subject and "O = system:nodes" in subject, subject
    # The node talks to the server's lab address, never loopback.
    assert f"server: https://{SERVER_IP}:{PORT}" in open(os.path.join(d, "kubeconfig.yaml")).read()


def test_wrong_hash_fails_before_the_token_leaves_the_node(lab):
    if not shutil.which("iptables"):
        pytest.skip("counting the node's connections needs iptables")
    base = f"https://{SERVER_IP}:{PORT}/api/v1/namespaces/kube-public/configmaps/cluster-info"
    # Control: discovery works anonymously, and the server answers 401 to any request
    # carrying an unknown token, so a discovery that carried the token could not pass.
    assert lab.run("node2", "python3", "-c", PROBE, base).stdout.strip() == "200"
    assert lab.run("node2", "python3", "-c", PROBE, base, UNKNOWN_TOKEN).stdout.strip() == "401"

    url, token, ca_hash = lab.token()
    syn = SynCounter(lab, "node2")
    d = os.path.join(lab.dir, "node2-hash")
    syn.reset()
    r = lab.join_only("node2", url, token, WRONG_HASH, d)
    assert r.returncode != 0, r.stdout
    assert "does not match --ca-cert-hash" in r.stderr and ca_hash in r.stderr and "no credentials were sent" in r.stderr, r.stderr
    assert "edgectl token create" in r.stderr, "the message names where the right hash comes from: " + r.stderr
    # One connection (discovery), nothing after it; the server saw no request with this token.
    assert syn.count() == 1
    assert bootstrap_csrs(lab, token) == []
    assert files_under(d) == []

    # The unknown token gets the same hash message, not a 401: it was never presented.
    r = lab.join_only("node2", url, UNKNOWN_TOKEN, WRONG_HASH, os.path.join(lab.dir, "node2-hash2"))
    assert r.returncode != 0 and "does not match --ca-cert-hash" in r.stderr, r.stderr
    assert syn.count() == 2
    assert files_under(os.path.join(lab.dir, "node2-hash2")) == []


def test_wrong_token_and_expired_token_are_rejected_with_the_fix(lab):
    url, token, ca_hash = lab.token()
    _, short, _ = lab.token("--ttl", "1s")
    created = time.time()
    syn = SynCounter(lab, "node2") if shutil.which("iptables") else None

    wrong = token.split(".")[0] + "." + ("a" * 16 if not token.endswith("a" * 16) else "b" * 16)
    d = os.path.join(lab.dir, "node2-wrong")
    if syn:
        syn.reset()
    r = lab.join_only("node2", url, wrong, ca_hash, d)
    assert r.returncode != 0, r.stdout
    assert "rejected the token" in r.stderr and "edgectl token create" in r.stderr, r.stderr
    # Positive control for the counter above: with the right hash the token is sent, on a second connection.
    assert syn is None or syn.count() >= 2
    assert files_under(d) == []

    time.sleep(max(0.0, created + 2.5 - time.time()))
    d = os.path.join(lab.dir, "node2-expired")
    r = lab.join_only("node2", url, short, ca_hash, d)
    assert r.returncode != 0, r.stdout
    assert "rejected the token" in r.stderr and "expired" in r.stderr and "edgectl token create" in r.stderr, r.stderr
    assert files_under(d) == []
    assert bootstrap_csrs(lab, token) == [] and bootstrap_csrs(lab, short) == []

    # The same node joins once it has a good token: the failures left nothing in the way.
    r = lab.join_only("node2", url, token, ca_hash, os.path.join(lab.dir, "node2"))
    assert r.returncode == 0, r.stderr
    assert "system:node:node2" in r.stdout


def test_pod_runs_on_the_joined_node_with_logs_and_exec(lab):
    """A pod scheduled to node1 runs in node1's namespace; the API server, in its own
    namespace, proxies logs and exec to node1's agent API across the lab bridge."""
    built = os.path.join(lab.dir, "images")
    subprocess.run(["bash", os.path.join(os.path.dirname(__file__), "..", "..", "images", "build"), built],
                   check=True, capture_output=True)
    node_dir = os.path.join(lab.dir, "node1")
    r = lab.run("node1", EDGECTL, "images", "import", "--data-dir", node_dir, os.path.join(built, "busybox"), check=True)
    assert "localhost/busybox:latest" in r.stdout, r.stdout
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "on-node1"},
           "spec": {"nodeSelector": {"kubernetes.io/hostname": "node1"}, "terminationGracePeriodSeconds": 2,
                    "containers": [{"name": "main", "image": "localhost/busybox:latest", "imagePullPolicy": "Never",
                                    "command": ["sh", "-c", "echo hello from $(hostname); exec sleep 3600"]}]}}
    path = os.path.join(lab.dir, "on-node1.json")
    json.dump(pod, open(path, "w"))
    lab.kubectl("apply", "-f", path)
    deadline = time.time() + 60
    while True:
        p = json.loads(lab.kubectl("get", "pod", "on-node1", "-o", "json").stdout)
        statuses = p["status"].get("containerStatuses") or [{}]
        if "running" in statuses[0].get("state", {}):
            break
        assert time.time() < deadline, json.dumps(p["status"], indent=1)
        time.sleep(0.5)
    assert p["spec"]["nodeName"] == "node1" and p["status"]["hostIP"] == node_ip("node1"), p["status"]
    deadline = time.time() + 20
    while "hello from on-node1" not in (logs := lab.kubectl("logs", "on-node1", check=False).stdout):
        assert time.time() < deadline, logs
        time.sleep(0.3)
    r = lab.kubectl("exec", "on-node1", "--", "sh", "-c", "cat /etc/hostname 2>/dev/null || hostname; exit 4", check=False)
    assert r.returncode == 4 and "on-node1" in r.stdout, (r.returncode, r.stdout, r.stderr)
    lab.kubectl("delete", "pod", "on-node1", "--wait=true", "--timeout=60s")
    assert lab.kubectl("get", "pod", "on-node1", check=False).returncode != 0
