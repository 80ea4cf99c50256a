"""A kopf operator (PyPI's kopf, unchanged) running under its own ServiceAccount token, with a Role
granting exactly what it needs on its CRD: it reconciles its custom resources, and it is refused
everything outside that Role."""
import json
import os
import signal
import subprocess
import sys

import yaml

from conftest import wait_for

CRD = """
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.kopf-e2e.example.com}
spec:
  group: kopf-e2e.example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties: {size: {type: integer}}
          status: {type: object, x-kubernetes-preserve-unknown-fields: true}
"""

# What the operator needs and nothing more: its widgets (and their status), the ConfigMaps it makes,
# and the Events kopf posts about its handlers.
RBAC = """
apiVersion: v1
kind: ServiceAccount
metadata: {name: widget-operator, namespace: NS}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: widget-operator, namespace: NS}
rules:
- {apiGroups: [kopf-e2e.example.com], resources: [widgets], verbs: [get, list, watch, patch]}
- {apiGroups: [kopf-e2e.example.com], resources: [widgets/status], verbs: [get, patch]}
- {apiGroups: [""], resources: [configmaps], verbs: [create]}
- {apiGroups: [""], resources: [events], verbs: [create]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: widget-operator, namespace: NS}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: widget-operator}
subjects:
- {kind: ServiceAccount, name: widget-operator, namespace: NS}
"""

OPERATOR = '''
import kopf
import kubernetes


@kopf.on.startup()
def configure(settings: kopf.OperatorSettings, **_):
    # Cluster-wide CRD scanning needs a ClusterRole; this operator knows its one resource.
    settings.scanning.disabled = True


@kopf.on.create("kopf-e2e.example.com", "v1", "widgets")
def make_config_map(spec, name, namespace, body, **_):
    kubernetes.config.load_kube_config()
    core = kubernetes.client.CoreV1Api()
    core.create_namespaced_config_map(namespace, {"metadata": {"name": "widget-" + name}, "data": {"size": str(spec.get("size"))}})
    refused = {}
    for what, call in [("secrets", lambda: core.list_namespaced_secret(namespace)),
                       ("configmaps-in-default", lambda: core.create_namespaced_config_map(
                           "default", {"metadata": {"name": "widget-" + name}})),
                       ("pods", lambda: core.list_namespaced_pod(namespace))]:
        try:
            call()
            refused[what] = "allowed"
        except kubernetes.client.ApiException as e:
            refused[what] = e.status
    kopf.info(body, reason="Made", message="made ConfigMap widget-" + name)
    return {"configMap": "widget-" + name, "refused": refused}
'''


def test_a_kopf_operator_under_a_least_privilege_role(kubectl, server, namespace, tmp_path):
    kubectl.run("apply", "-f", "-", input=CRD)
    wait_for(lambda: kubectl.run("get", "widgets", "-n", namespace, check=False).returncode == 0, 15, "the CRD to be served")
    kubectl.run("apply", "-f", "-", input=RBAC.replace("NS", namespace))
    token = kubectl.run("create", "token", "widget-operator", "-n", namespace, "--duration", "1h").stdout.strip()
    cfg = yaml.safe_load(open(server.kubeconfig))
    cfg["users"][0]["user"] = {"token": token}
    kubeconfig = str(tmp_path / "operator.yaml")
    with open(kubeconfig, "w") as f:
        yaml.safe_dump(cfg, f)
    (tmp_path / "operator.py").write_text(OPERATOR)
    log_path = tmp_path / "kopf.log"
    env = dict(os.environ, KUBECONFIG=kubeconfig)
    with open(log_path, "wb") as log:
        op = subprocess.Popen([sys.executable, "-m", "kopf", "run", "--standalone", "--namespace", namespace, "--verbose",
                               str(tmp_path / "operator.py")], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        kubectl.run("apply", "-n", namespace, "-f", "-",
                    input=json.dumps({"apiVersion": "kopf-e2e.example.com/v1", "kind": "Widget", "metadata": {"name": "w1"},
                                      "spec": {"size": 3}}))

        def handled():
            assert op.poll() is None, "kopf exited:\n" + log_path.read_text()[-4000:]
            w = kubectl.json("get", "widget", "w1", "-n", namespace)
            return w.get("status", {}).get("make_config_map")
        status = wait_for(handled, 60, "kopf to handle the widget", show=lambda: log_path.read_text()[-3000:])
        assert status["configMap"] == "widget-w1"
        assert status["refused"] == {"secrets": 403, "configmaps-in-default": 403, "pods": 403}, status
        cm = kubectl.json("get", "configmap", "widget-w1", "-n", namespace)
        assert cm["data"] == {"size": "3"}
        assert kubectl.run("get", "configmap", "widget-w1", "-n", "default", check=False).returncode != 0
        # kopf's own bookkeeping went through: its annotations on the widget, its Event in the namespace.
        w = kubectl.json("get", "widget", "w1", "-n", namespace)
        assert any(k.startswith("kopf.zalando.org/") for k in w["metadata"].get("annotations", {})), w["metadata"]
        wait_for(lambda: any(e.get("reason") == "Made" and e.get("message") == "made ConfigMap widget-w1"
                             for e in kubectl.json("get", "events", "-n", namespace)["items"]),
                 30, "the Event the operator posted", show=lambda: log_path.read_text()[-2000:])
        text = log_path.read_text()
        assert "Handler 'make_config_map' succeeded" in text, text[-3000:]
        # kopf itself met no refusal (it logs a failed watch, patch or event post as a warning or an error).
        problems = [line for line in text.splitlines() if "[WARNING" in line or "[ERROR" in line]
        assert not problems, problems
        # The token itself is refused outside the Role.
        from conftest import Kubectl
        as_operator = Kubectl(kubeconfig)
        for args in (["get", "widgets", "-n", "default"], ["get", "secrets", "-n", namespace], ["delete", "widget", "w1", "-n", namespace],
                     ["get", "widgets", "-A"]):
            r = as_operator.run(*args, check=False)
            assert r.returncode != 0 and f'User "system:serviceaccount:{namespace}:widget-operator" cannot' in r.stderr, (args, r.stderr)
    finally:
        op.send_signal(signal.SIGINT)
        try:
            op.wait(timeout=20)
        except subprocess.TimeoutExpired:
            op.kill()
            op.wait()
    kubectl.run("delete", "crd", "widgets.kopf-e2e.example.com", "--wait=false", check=False)
