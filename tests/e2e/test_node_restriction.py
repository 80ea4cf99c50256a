"""Issue 9 item 9: a joined node stays in its lane. With a real node client
certificate (from `edgectl join`), kubectl as system:node:evilnode gets
upstream's 403 for every write that is not its own: another node's pod
status, Node, Lease and pods, tokens for accounts its pods do not use, and
restricted labels on itself. Its own writes still work."""
import base64
import http.client
import json
import os
import ssl
import subprocess
import tempfile

import pytest
import yaml

from conftest import KUBECTL
from test_join import create_token, join


def as_user(kubeconfig, *args, input=None):
    return subprocess.run([KUBECTL, "--kubeconfig", kubeconfig, *args], input=input, capture_output=True, text=True, timeout=60)


def request(kubeconfig, method, path, body, content_type="application/merge-patch+json"):
    """One HTTPS request with the kubeconfig's client certificate (as curl --cert would): (status, parsed body)."""
    cfg = yaml.safe_load(open(kubeconfig))
    cluster, user = cfg["clusters"][0]["cluster"], cfg["users"][0]["user"]
    with tempfile.TemporaryDirectory() as d:
        paths = {}
        for key, name, src in [("certificate-authority-data", "ca", cluster), ("client-certificate-data", "crt", user), ("client-key-data", "key", user)]:
            paths[name] = os.path.join(d, name)
            with open(paths[name], "wb") as f:
                f.write(base64.b64decode(src[key]))
        ctx = ssl.create_default_context(cafile=paths["ca"])
        ctx.load_cert_chain(paths["crt"], paths["key"])
    host, port = cluster["server"].split("//")[1].rsplit(":", 1)
    conn = http.client.HTTPSConnection(host, int(port), context=ctx, timeout=30)
    conn.request(method, path, body=json.dumps(body), headers={"Content-Type": content_type})
    r = conn.getresponse()
    return r.status, json.loads(r.read() or b"null")


def forbidden(r, message):
    assert r.returncode != 0, r.stdout
    assert r.stderr.rstrip().endswith(message) and "forbidden" in r.stderr, r.stderr


@pytest.fixture(scope="module")
def nodes(server, kubectl, tmp_path_factory):
    """Two joined nodes' kubeconfigs, each with its Node, and a pod bound to each."""
    url, token, ca_hash = create_token(server, "--description", "node restriction e2e")
    kubeconfigs = {}
    for name in ["pi-good", "evilnode"]:
        d = str(tmp_path_factory.mktemp(name))
        r = join(url, token, ca_hash, d, name)
        assert r.returncode == 0, r.stderr
        kubeconfigs[name] = d + "/kubeconfig.yaml"
        node = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}}}
        r = as_user(kubeconfigs[name], "create", "-f", "-", input=json.dumps(node))
        assert r.returncode == 0, r.stderr
    kubectl.run("create", "namespace", "lane")
    for pod, node in [("theirs", "pi-good"), ("mine", "evilnode")]:
        kubectl.run("create", "-f", "-", input=json.dumps({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": pod, "namespace": "lane"},
            "spec": {"nodeName": node, "containers": [{"name": "c", "image": "busybox:1.36"}]}}))
    yield kubeconfigs
    kubectl.run("delete", "namespace", "lane", "--wait=false", check=False)
    kubectl.run("delete", "node", "pi-good", "evilnode", "--wait=false", check=False)


def test_a_node_cannot_write_another_nodes_objects(nodes, kubectl):
    evil = nodes["evilnode"]
    # kubectl patch --subresource=status would GET pods/status first, which a node may not (as upstream): what an
    # agent sends is the PATCH alone.
    code, status = request(evil, "PATCH", "/api/v1/namespaces/lane/pods/theirs/status", {"status": {"podIP": "6.6.6.6"}})
    assert code == 403 and status["reason"] == "Forbidden", status
    assert status["message"] == 'pods "theirs" is forbidden: node "evilnode" can only update pod status for pods with spec.nodeName set to itself', status
    assert "podIP" not in kubectl.json("get", "pod", "theirs", "-n", "lane")["status"]

    forbidden(as_user(evil, "create", "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "pi-next"}})),
              'nodes "pi-next" is forbidden: node "evilnode" is not allowed to modify node "pi-next"')
    forbidden(as_user(evil, "label", "node", "pi-good", "board=stolen"),
              'nodes "pi-good" is forbidden: node "evilnode" is not allowed to modify node "pi-good"')

    forbidden(as_user(evil, "delete", "pod", "theirs", "-n", "lane", "--wait=false"),
              'pods "theirs" is forbidden: node "evilnode" can only delete pods with spec.nodeName set to itself')
    assert kubectl.run("get", "pod", "theirs", "-n", "lane", check=False).returncode == 0

    forbidden(as_user(evil, "create", "token", "default", "-n", "kube-system"),
              'serviceaccounts "default" is forbidden: User "system:node:evilnode" cannot create resource "serviceaccounts/token" '
              'in API group "" in the namespace "kube-system": no relationship found between node \'evilnode\' and this object')

    lease = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": "pi-good", "namespace": "kube-node-lease"},
             "spec": {"holderIdentity": "pi-good", "leaseDurationSeconds": 40}}
    forbidden(as_user(evil, "create", "-f", "-", input=json.dumps(lease)),
              'leases.coordination.k8s.io "pi-good" is forbidden: can only access node lease with the same name as the requesting node')

    forbidden(as_user(evil, "label", "node", "evilnode", "node-restriction.kubernetes.io/trusted=yes"),
              'nodes "evilnode" is forbidden: is not allowed to modify labels: node-restriction.kubernetes.io/trusted')
    forbidden(as_user(evil, "label", "node", "evilnode", "node-role.kubernetes.io/control-plane="),
              'nodes "evilnode" is forbidden: is not allowed to modify labels: node-role.kubernetes.io/control-plane')


def test_a_node_still_does_its_own_work(nodes, kubectl):
    evil = nodes["evilnode"]
    code, status = request(evil, "PATCH", "/api/v1/namespaces/lane/pods/mine/status", {"status": {"podIP": "10.42.0.7"}})
    assert code == 200, status
    assert kubectl.json("get", "pod", "mine", "-n", "lane")["status"]["podIP"] == "10.42.0.7"
    r = as_user(evil, "label", "node", "evilnode", "board=rpi4", "node.kubernetes.io/instance-type=rpi4")
    assert r.returncode == 0, r.stderr
    lease = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": "evilnode", "namespace": "kube-node-lease"},
             "spec": {"holderIdentity": "evilnode", "leaseDurationSeconds": 40}}
    r = as_user(evil, "create", "-f", "-", input=json.dumps(lease))
    assert r.returncode == 0, r.stderr
    event = {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "mine.1", "namespace": "lane"}, "reason": "Started",
             "message": "started", "type": "Normal", "involvedObject": {"kind": "Pod", "name": "mine", "namespace": "lane"}}
    r = as_user(evil, "create", "-f", "-", input=json.dumps(event))
    assert r.returncode == 0, r.stderr
    r = as_user(evil, "delete", "pod", "mine", "-n", "lane", "--grace-period=0", "--force")
    assert r.returncode == 0, r.stderr


def test_an_agent_refuses_labels_its_node_may_not_set(tmp_path):
    """As kubelet's --node-labels check: said at start, not refused silently at every registration."""
    from conftest import EDGECTL
    r = subprocess.run([EDGECTL, "agent", "--data-dir", str(tmp_path), "--node-labels", "board=rpi4,node-role.kubernetes.io/worker=true"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode != 0, r.stdout
    assert "unknown 'kubernetes.io' or 'k8s.io' labels specified with --node-labels: node-role.kubernetes.io/worker" in r.stderr, r.stderr
