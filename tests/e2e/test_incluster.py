"""In-cluster API access from a real pod (root only, as the pod suites): the kube-api-access
volume's token, ca.crt and namespace; KUBERNETES_SERVICE_HOST/PORT; and the official Python
client's load_incluster_config() inside a pod, allowed and denied exactly as its Role says.

Test pods have no pod network in the root namespace (conftest: loopback-only CNI, no service proxy),
so the Python client's pod shares the node's network and is pointed at the API server's node
address with KUBERNETES_SERVICE_HOST/PORT, as the issue allows until the lab runs it; the
host's Python installation is mounted read-only at the same paths (the test images have none)."""
import base64
import json
import os
import shutil
import sys

import pytest

from conftest import wait_for
from agent_node import agent_node
from local_registry import serving_images

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("docker-registry") or not shutil.which("skopeo"),
                                reason="pods need root, docker-registry and skopeo")

NS = "incluster"


@pytest.fixture(scope="module")
def registry():
    with serving_images(names=("busybox", "pause")) as r:
        yield r


@pytest.fixture(scope="module")
def node(registry):
    with agent_node("edgectl-incluster-", "e2e-incluster") as n:
        s, k = n
        k.run("create", "namespace", NS)
        k.run("create", "serviceaccount", "lister", "-n", NS)
        k.run("create", "role", "cm-reader", "--verb=get,list", "--resource=configmaps", "-n", NS)
        k.run("create", "rolebinding", "lister", "--role=cm-reader", f"--serviceaccount={NS}:lister", "-n", NS)
        yield n


def finished_logs(s, k, name):
    def done():
        r = k.run("get", "pod", name, "-n", NS, "-o", "json", check=False)
        return r.returncode == 0 and json.loads(r.stdout)["status"].get("phase") in ("Succeeded", "Failed")
    wait_for(done, 90, f"pod {name} to finish", show=lambda: k.run("get", "pod", name, "-n", NS, "-o", "yaml", check=False).stdout
             + "\nserver log:\n" + open(s.log_path, errors="replace").read()[-3000:])
    return k.run("logs", name, "-n", NS).stdout


def test_mounted_token_ca_and_namespace(node, registry):
    s, k = node
    k.run("apply", "-f", "-", input=json.dumps({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "reader", "namespace": NS},
        "spec": {"serviceAccountName": "lister", "restartPolicy": "Never", "containers": [{
            "name": "main", "image": registry.image("busybox"), "command": ["sh", "-c",
                "d=/var/run/secrets/kubernetes.io/serviceaccount; echo NS=$(cat $d/namespace); echo TOKEN=$(cat $d/token); "
                "echo HOST=$KUBERNETES_SERVICE_HOST PORT=$KUBERNETES_SERVICE_PORT; echo CA; cat $d/ca.crt"]}]}}))
    out = finished_logs(s, k, "reader")
    assert f"NS={NS}" in out, out
    assert "HOST=10.43.0.1 PORT=443" in out, out
    assert open(os.path.join(s.data_dir, "tls", "ca.crt")).read().strip() in out, out
    token = next(l for l in out.splitlines() if l.startswith("TOKEN=")).split("=", 1)[1]
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert claims["sub"] == f"system:serviceaccount:{NS}:lister" and claims["kubernetes.io"]["pod"]["name"] == "reader", claims
    review = json.loads(k.run("create", "-f", "-", "-o", "json", input=json.dumps({
        "apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": {"token": token}})).stdout)
    assert review["status"]["authenticated"] and review["status"]["user"]["username"] == f"system:serviceaccount:{NS}:lister", review
    pod = json.loads(k.run("get", "pod", "reader", "-n", NS, "-o", "json").stdout)
    assert any(v["name"].startswith("kube-api-access-") for v in pod["spec"]["volumes"])


PROGRAM = """
from kubernetes import client, config
from kubernetes.client.rest import ApiException
config.load_incluster_config()
v1 = client.CoreV1Api()
print("CONFIGMAPS", sorted(c.metadata.name for c in v1.list_namespaced_config_map("NS").items))
for what, call in (("secrets", lambda: v1.list_namespaced_secret("NS")), ("pods", lambda: v1.list_namespaced_pod("NS"))):
    try:
        call()
        print("ALLOWED", what)
    except ApiException as e:
        print("DENIED", what, e.status)
"""


def test_python_client_load_incluster_config_in_a_pod(node, registry):
    s, k = node
    python_root = os.path.dirname(os.path.dirname(os.path.realpath(sys.executable)))
    mounts = [("usr", "/usr"), ("lib", "/lib"), ("lib64", "/lib64"), ("python", python_root)]
    k.run("apply", "-f", "-", input=json.dumps({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "python-client", "namespace": NS},
        "spec": {"serviceAccountName": "lister", "restartPolicy": "Never", "hostNetwork": True,
                 "volumes": [{"name": n, "hostPath": {"path": p}} for n, p in mounts],
                 "containers": [{
                     "name": "main", "image": registry.image("busybox"),
                     "command": [os.path.realpath(sys.executable), "-c", PROGRAM.replace("NS", NS)],
                     "env": [{"name": "KUBERNETES_SERVICE_HOST", "value": "127.0.0.1"},
                             {"name": "KUBERNETES_SERVICE_PORT", "value": str(s.port)}],
                     "volumeMounts": [{"name": n, "mountPath": p, "readOnly": True} for n, p in mounts]}]}}))
    out = finished_logs(s, k, "python-client")
    assert "CONFIGMAPS ['kube-root-ca.crt']" in out, out
    assert "DENIED secrets 403" in out and "DENIED pods 403" in out, out
