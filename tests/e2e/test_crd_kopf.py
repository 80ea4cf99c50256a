"""Issue 12 acceptance: a kopf operator (from PyPI) reconciling its own custom resource against the
real server, run as operators are run (`kopf run`, a subprocess). Its definition and kopf's own
peering definition are applied server-side; the operator keeps its peering alive in the namespace,
its create handler makes an owned child ConfigMap and writes status through the status
subresource, its update handler follows a spec change, its delete handler runs behind kopf's
finalizer, and the child is garbage collected with its owner."""
import json
import subprocess
import sys
import textwrap

import pytest

from conftest import wait_for
from pypi_clients import pythonpath_env, require

GROUP = "kopf.example.com"

OPERATOR = textwrap.dedent('''
    import kopf
    import kubernetes

    GROUP = "kopf.example.com"
    core = None


    @kopf.on.startup()
    def configure(settings, **_):
        global core
        kubernetes.config.load_kube_config()
        core = kubernetes.client.CoreV1Api()  # made once: the client takes seconds to build one
        settings.watching.server_timeout = 30


    @kopf.on.create(GROUP, "v1", "brewers")
    def brewed(spec, name, namespace, body, patch, **_):
        child = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"{name}-recipe"},
                 "data": {"cups": str(spec["cups"])}}
        kopf.adopt(child)
        core.create_namespaced_config_map(namespace, child)
        patch.status["phase"] = "Brewing"
        kopf.info(body, reason="Brewed", message=f"poured {spec['cups']} cups")
        return {"child": f"{name}-recipe"}


    @kopf.on.update(GROUP, "v1", "brewers", field="spec.cups")
    def refilled(new, name, namespace, patch, **_):
        core.patch_namespaced_config_map(f"{name}-recipe", namespace, {"data": {"cups": str(new)}})
        patch.status["phase"] = f"Refilled to {new}"


    @kopf.on.delete(GROUP, "v1", "brewers")
    def emptied(name, namespace, **_):
        core.create_namespaced_config_map(
            namespace, {"metadata": {"name": f"{name}-goodbye"}, "data": {"by": "kopf"}})
''')


def brewer_crd():
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": f"brewers.{GROUP}"},
            "spec": {"group": GROUP, "scope": "Namespaced",
                     "names": {"plural": "brewers", "singular": "brewer", "kind": "Brewer"},
                     "versions": [{"name": "v1", "served": True, "storage": True, "subresources": {"status": {}},
                                   "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                                       "spec": {"type": "object", "required": ["cups"],
                                                "properties": {"cups": {"type": "integer", "minimum": 1}}},
                                       # kopf keeps its progress and handler results in status.
                                       "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}}}}]}}


def peering_crd():
    """kopf's namespaced peering definition, as kopf's documentation ships it."""
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "kopfpeerings.kopf.dev"},
            "spec": {"scope": "Namespaced", "group": "kopf.dev",
                     "names": {"kind": "KopfPeering", "plural": "kopfpeerings", "singular": "kopfpeering"},
                     "versions": [{"name": "v1", "served": True, "storage": True,
                                   "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                                       "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}}}}]}}


def apply_ss(kubectl, obj, *args):
    kubectl.run("apply", "--server-side", "-f", "-", *args, input=json.dumps(obj))


@pytest.fixture(scope="module")
def kopf_path():
    return require("kopf")


@pytest.fixture(scope="module")
def definitions(kubectl):
    apply_ss(kubectl, peering_crd())
    apply_ss(kubectl, brewer_crd())
    for name in ("kopfpeerings.kopf.dev", f"brewers.{GROUP}"):
        kubectl.run("wait", "--for=condition=Established", f"crd/{name}", "--timeout=10s")
    yield
    kubectl.run("delete", "crd", f"brewers.{GROUP}", "--wait=false", check=False)


@pytest.fixture
def operator(kopf_path, definitions, kubectl, server, namespace, tmp_path):
    apply_ss(kubectl, {"apiVersion": "kopf.dev/v1", "kind": "KopfPeering", "metadata": {"name": "brewery"}},
             "-n", namespace)
    script = tmp_path / "operator.py"
    script.write_text(OPERATOR)
    log_path = tmp_path / "kopf.log"
    env = pythonpath_env(kopf_path)
    env["KUBECONFIG"] = server.kubeconfig
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "kopf", "run", "--verbose", "--namespace", namespace,
                                 "--peering", "brewery", str(script)], stdout=log, stderr=subprocess.STDOUT, env=env)
    proc.log_path = log_path
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_kopf_operator_reconciles_its_custom_resource(operator, kubectl, namespace):
    def log():
        return open(operator.log_path).read()[-6000:]

    def alive():
        assert operator.poll() is None, "kopf exited:\n" + log()
        return True

    # The operator keeps itself alive in its peering object (a merge patch of a custom object's status).
    def peered():
        alive()
        st = kubectl.json("get", "kopfpeering", "brewery", "-n", namespace).get("status") or {}
        return any(isinstance(v, dict) and "lastseen" in v for v in st.values())
    wait_for(peered, 30, "kopf's keep-alive in its KopfPeering", show=log)

    kubectl.run("create", "-n", namespace, "-f", "-", input=json.dumps(
        {"apiVersion": f"{GROUP}/v1", "kind": "Brewer", "metadata": {"name": "pot"}, "spec": {"cups": 2}}))

    def brewing():
        alive()
        b = kubectl.json("get", "brewer", "pot", "-n", namespace)
        return b if b.get("status", {}).get("phase") == "Brewing" else None
    b = wait_for(brewing, 30, "the create handler's status", show=log)
    assert b["status"]["brewed"] == {"child": "pot-recipe"}, b["status"]
    assert "kopf.zalando.org/KopfFinalizerMarker" in b["metadata"]["finalizers"]
    assert "kopf.zalando.org/last-handled-configuration" in b["metadata"]["annotations"]
    child = kubectl.json("get", "configmap", "pot-recipe", "-n", namespace)
    assert child["data"] == {"cups": "2"}
    ref = child["metadata"]["ownerReferences"][0]
    assert (ref["kind"], ref["name"], ref["uid"], ref.get("controller")) == ("Brewer", "pot", b["metadata"]["uid"], True)

    kubectl.run("patch", "brewer", "pot", "-n", namespace, "--type=merge", "-p", '{"spec":{"cups":5}}')
    wait_for(lambda: alive() and kubectl.json("get", "brewer", "pot", "-n", namespace)["status"].get("phase") == "Refilled to 5",
             30, "the update handler's status", show=log)
    assert kubectl.json("get", "configmap", "pot-recipe", "-n", namespace)["data"] == {"cups": "5"}

    # kopf.info posts an event about the object (in the background, from kopf's poster).
    def brewed_events():
        alive()
        return [e for e in kubectl.json("get", "events", "-n", namespace, "--field-selector", "involvedObject.name=pot")["items"]
                if e.get("reason") == "Brewed"]
    ev = wait_for(brewed_events, 15, "kopf's Brewed event", show=log)[0]
    assert ev["message"] == "poured 2 cups" and ev["type"] == "Normal"
    assert (ev["involvedObject"]["kind"], ev["involvedObject"]["uid"]) == ("Brewer", b["metadata"]["uid"])

    # Deleting waits for kopf's finalizer: the delete handler runs, then kopf lets the object go.
    kubectl.run("delete", "brewer", "pot", "-n", namespace, "--timeout=60s")
    assert kubectl.json("get", "configmap", "pot-goodbye", "-n", namespace)["data"] == {"by": "kopf"}
    wait_for(lambda: kubectl.run("get", "configmap", "pot-recipe", "-n", namespace, check=False).returncode != 0, 20,
             "the owned child collected")
    alive()
    assert "Traceback" not in log(), log()
