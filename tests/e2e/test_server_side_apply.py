"""Issue 12, server-side apply: kubectl 1.37's apply --server-side (multi-document, a second
manager's conflict, then forcing), diff --server-side, --show-managed-fields, client-side apply's
upgrade to server-side apply, the official Python client and lightkube (from PyPI)."""
import json
import time

import pytest
from kubernetes import client, dynamic
from kubernetes.client.rest import ApiException

from pypi_clients import require


def deployment(name, replicas=1, image="nginx:1.27", extra_env=()):
    env = [{"name": "A", "value": "1"}] + [{"name": n, "value": v} for n, v in extra_env]
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "web", "image": image, "env": env,
                                         "ports": [{"containerPort": 80}]}]},
            },
        },
    }


def yaml_docs(*objs):
    # JSON is YAML: a multi-document stream kubectl splits on "---".
    return "\n---\n".join(json.dumps(o, indent=2) for o in objs) + "\n"


def managers(obj, include_controllers=False):
    """(manager, operation) pairs; the controllers' own entries (status, revision annotations) left out."""
    return sorted((m["manager"], m["operation"]) for m in obj["metadata"].get("managedFields", [])
                  if include_controllers or "controller" not in m["manager"])


def apply_ss(kubectl, ns, text, *flags, check=True):
    return kubectl.run("apply", "--server-side", "-n", ns, "-f", "-", *flags, input=text, check=check)


def test_apply_server_side_multi_document_then_conflict_then_force(kubectl, namespace):
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}, "data": {"mode": "fast"}}
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
           "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]}}
    r = apply_ss(kubectl, namespace, yaml_docs(cm, deployment("web"), svc))
    assert "configmap/settings serverside-applied" in r.stdout
    assert "deployment.apps/web serverside-applied" in r.stdout
    assert "service/web serverside-applied" in r.stdout
    d = kubectl.json("get", "deployment", "web", "-n", namespace, "--show-managed-fields")
    assert managers(d) == [("kubectl", "Apply")]
    owned = next(m for m in d["metadata"]["managedFields"] if m["manager"] == "kubectl")["fieldsV1"]
    assert "f:replicas" in owned["f:spec"]
    assert 'k:{"name":"web"}' in owned["f:spec"]["f:template"]["f:spec"]["f:containers"]
    # Without --show-managed-fields kubectl hides them, as it does against upstream.
    assert "managedFields" not in kubectl.json("get", "deployment", "web", "-n", namespace)["metadata"]

    # Unchanged: applying again is a no-op for the object.
    rv = kubectl.json("get", "configmap", "settings", "-n", namespace)["metadata"]["resourceVersion"]
    apply_ss(kubectl, namespace, yaml_docs(cm))
    assert kubectl.json("get", "configmap", "settings", "-n", namespace)["metadata"]["resourceVersion"] == rv

    # A second manager wants other replicas: 409, in upstream's words.
    r = apply_ss(kubectl, namespace, yaml_docs(deployment("web", replicas=3)), "--field-manager=autoscaler", check=False)
    assert r.returncode != 0
    assert 'Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas' in r.stderr, r.stderr
    r = apply_ss(kubectl, namespace, yaml_docs(deployment("web", replicas=3)), "--field-manager=autoscaler", "--force-conflicts")
    d = kubectl.json("get", "deployment", "web", "-n", namespace, "--show-managed-fields")
    assert d["spec"]["replicas"] == 3
    by = {m["manager"]: m["fieldsV1"] for m in d["metadata"]["managedFields"]}
    assert "f:replicas" in by["autoscaler"]["f:spec"]
    assert "f:replicas" not in by["kubectl"]["f:spec"], "forcing took the field from kubectl"


def test_manager_stops_applying_a_field_and_it_goes(kubectl, namespace):
    apply_ss(kubectl, namespace, yaml_docs(deployment("web", extra_env=[("B", "2")])))
    apply_ss(kubectl, namespace, yaml_docs(deployment("web")))
    d = kubectl.json("get", "deployment", "web", "-n", namespace)
    env = d["spec"]["template"]["spec"]["containers"][0]["env"]
    assert [e["name"] for e in env] == ["A"]


def test_lists_merge_by_key_between_managers(kubectl, namespace):
    apply_ss(kubectl, namespace, yaml_docs(deployment("web")))
    sidecar = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
               "spec": {"template": {"spec": {"containers": [
                   {"name": "web", "ports": [{"containerPort": 80, "protocol": "UDP"}]},
                   {"name": "sidecar", "image": "busybox:1.36"}]}}}}
    apply_ss(kubectl, namespace, yaml_docs(sidecar), "--field-manager=mesh")
    c = kubectl.json("get", "deployment", "web", "-n", namespace)["spec"]["template"]["spec"]["containers"]
    assert [x["name"] for x in c] == ["web", "sidecar"]
    assert sorted((p["containerPort"], p["protocol"]) for p in c[0]["ports"]) == [(80, "TCP"), (80, "UDP")]
    assert c[0]["image"] == "nginx:1.27"


def test_undeclared_field_is_refused_as_upstream(kubectl, namespace):
    bad = deployment("web")
    bad["spec"]["replicass"] = 2
    r = apply_ss(kubectl, namespace, yaml_docs(bad), check=False)
    assert r.returncode != 0
    assert ("failed to create typed patch object (%s/web; apps/v1, Kind=Deployment): .spec.replicass: "
            "field not declared in schema" % namespace) in r.stderr, r.stderr
    assert kubectl.run("get", "deployment", "web", "-n", namespace, check=False).returncode != 0, "nothing stored"


def settled(kubectl, ns, name, timeout=30):
    """Waits until the deployment controller has written what it writes after a create
    (the revision annotation, the observed generation, the ReplicaSet's replicas). A diff
    taken earlier can see that write land between kubectl's GET and its dry run."""
    deadline = time.time() + timeout
    while True:
        d = kubectl.json("get", "deployment", name, "-n", ns)
        status = d.get("status", {})
        if ("deployment.kubernetes.io/revision" in d["metadata"].get("annotations", {})
                and status.get("observedGeneration") == d["metadata"]["generation"]
                and status.get("replicas") == d["spec"]["replicas"]):
            return d
        assert time.time() < deadline, f"deployment {name} did not settle: {status}"
        time.sleep(0.2)


def test_diff_server_side(kubectl, namespace):
    apply_ss(kubectl, namespace, yaml_docs(deployment("web")))
    settled(kubectl, namespace, "web")
    same = kubectl.run("diff", "--server-side", "-n", namespace, "-f", "-", input=yaml_docs(deployment("web")), check=False)
    assert same.returncode == 0, same.stdout + same.stderr
    changed = kubectl.run("diff", "--server-side", "-n", namespace, "-f", "-",
                          input=yaml_docs(deployment("web", image="nginx:1.28")), check=False)
    assert changed.returncode == 1, changed.stdout + changed.stderr
    assert "-        image: nginx:1.27" in changed.stdout and "+        image: nginx:1.28" in changed.stdout
    # A dry run: nothing stored.
    d = kubectl.json("get", "deployment", "web", "-n", namespace)
    assert d["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27"


def test_client_side_apply_upgrades_to_server_side(kubectl, namespace):
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "legacy"}, "data": {"a": "1", "b": "2"}}
    kubectl.run("apply", "-n", namespace, "-f", "-", input=json.dumps(cm))
    before = kubectl.json("get", "configmap", "legacy", "-n", namespace, "--show-managed-fields")
    assert managers(before) == [("kubectl-client-side-apply", "Update")]
    # The same manifest with a changed value, now server-side: no conflict with client-side apply's
    # fields (their live values are the last-applied ones), and kubectl moves them to its Apply entry.
    cm["data"]["a"] = "one"
    apply_ss(kubectl, namespace, json.dumps(cm))
    after = kubectl.json("get", "configmap", "legacy", "-n", namespace, "--show-managed-fields")
    assert after["data"] == {"a": "one", "b": "2"}
    # kubectl moved client-side apply's fields to its Apply entry and keeps the annotation under a manager
    # of its own (kubectl-last-applied), as against upstream.
    assert managers(after) == [("kubectl", "Apply"), ("kubectl-last-applied", "Apply")]
    last = json.loads(after["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"])
    assert last["data"] == {"a": "one", "b": "2"}, "the annotation follows server-side apply"
    # Fields client-side apply set are now the server-side manager's: dropping one removes it.
    del cm["data"]["b"]
    apply_ss(kubectl, namespace, json.dumps(cm))
    assert kubectl.json("get", "configmap", "legacy", "-n", namespace)["data"] == {"a": "one"}


def test_show_managed_fields_and_update_managers(kubectl, namespace):
    kubectl.run("create", "configmap", "made", "-n", namespace, "--from-literal=k=v")
    kubectl.run("label", "configmap", "made", "-n", namespace, "tier=x")
    out = kubectl.run("get", "configmap", "made", "-n", namespace, "-o", "yaml", "--show-managed-fields").stdout
    assert "manager: kubectl-create" in out and "manager: kubectl-label" in out
    assert "fieldsType: FieldsV1" in out and "f:tier: {}" in out
    assert "operation: Update" in out


def test_python_client_apply_and_default_manager(api, namespace):
    core = client.CoreV1Api(api)
    made = core.create_namespaced_config_map(namespace, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="py"), data={"k": "v"}))
    # The client's User-Agent names the default manager, as upstream derives it.
    assert [m.manager for m in made.metadata.managed_fields] == ["OpenAPI-Generator"]
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "py-applied"}, "data": {"x": "1"}}
    obj = core.patch_namespaced_config_map("py-applied", namespace, body, field_manager="py-apply",
                                           _content_type="application/apply-patch+yaml")
    assert obj.data == {"x": "1"}
    assert [(m.manager, m.operation) for m in obj.metadata.managed_fields] == [("py-apply", "Apply")]
    with pytest.raises(ApiException) as e:
        core.patch_namespaced_config_map("py-applied", namespace, body, _content_type="application/apply-patch+yaml")
    assert e.value.status == 422 and "fieldManager: Required value: is required for apply patch" in e.value.body
    # The dynamic client's server_side_apply.
    dyn = dynamic.DynamicClient(api)
    cms = dyn.resources.get(api_version="v1", kind="ConfigMap")
    body["data"] = {"x": "2"}
    with pytest.raises(ApiException) as e:
        cms.server_side_apply(body=body, namespace=namespace, field_manager="other")
    assert e.value.status == 409
    conflict = json.loads(e.value.body)
    assert conflict["details"]["causes"] == [{"reason": "FieldManagerConflict", "message": 'conflict with "py-apply"', "field": ".data.x"}]
    out = cms.server_side_apply(body=body, namespace=namespace, field_manager="other", force_conflicts=True)
    assert out.data.x == "2"


@pytest.fixture(scope="module")
def lightkube_module():
    """lightkube from PyPI (scripts/install-deps, else installed for this run into a directory of its own)."""
    require("lightkube")
    import lightkube
    return lightkube


def test_lightkube_apply(lightkube_module, server, namespace):
    from lightkube import Client, KubeConfig
    from lightkube.resources.core_v1 import ConfigMap
    from lightkube.models.meta_v1 import ObjectMeta
    lk = Client(config=KubeConfig.from_file(server.kubeconfig), field_manager="lightkube-test")
    cm = ConfigMap(metadata=ObjectMeta(name="lk", namespace=namespace), data={"a": "1"})
    applied = lk.apply(cm)
    assert applied.data == {"a": "1"}
    assert [(m.manager, m.operation) for m in applied.metadata.managedFields] == [("lightkube-test", "Apply")]
    cm.data = {"a": "2"}
    assert lk.apply(cm).data == {"a": "2"}
    other = Client(config=KubeConfig.from_file(server.kubeconfig), field_manager="someone-else")
    from lightkube import ApiError
    with pytest.raises(ApiError) as e:
        other.apply(ConfigMap(metadata=ObjectMeta(name="lk", namespace=namespace), data={"a": "3"}))
    assert e.value.status.code == 409
    assert other.apply(ConfigMap(metadata=ObjectMeta(name="lk", namespace=namespace), data={"a": "3"}), force=True).data == {"a": "3"}


def test_lightkube_apply_of_a_definition_and_its_custom_objects(lightkube_module, server, kubectl, namespace):
    """lightkube's own path for operators' manifests: load_all_yaml makes classes for the
    definitions it reads, then each document is applied server-side; a second manager's
    conflict on a custom object, and forcing it."""
    from lightkube import ApiError, Client, KubeConfig, codecs
    group = "lightkube.example.com"
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": f"lamps.{group}"},
           "spec": {"group": group, "scope": "Namespaced", "names": {"plural": "lamps", "singular": "lamp", "kind": "Lamp"},
                    "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {
                        "type": "object", "properties": {"spec": {"type": "object", "properties": {
                            "watts": {"type": "integer", "default": 40}, "color": {"type": "string"},
                            "bulbs": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["socket"],
                                      "items": {"type": "object", "required": ["socket"], "properties": {
                                          "socket": {"type": "string"}, "kind": {"type": "string"}}}}}}}}}}]}}
    lamps = [{"apiVersion": f"{group}/v1", "kind": "Lamp", "metadata": {"name": n, "namespace": namespace},
              "spec": {"color": c, "bulbs": [{"socket": "top", "kind": "led"}]}} for n, c in (("desk", "white"), ("floor", "amber"))]
    objs = codecs.load_all_yaml(yaml_docs(crd, *lamps), create_resources_for_crds=True)
    lk = Client(config=KubeConfig.from_file(server.kubeconfig), field_manager="lightkube-op")
    try:
        lk.apply(objs[0])
        kubectl.run("wait", "--for=condition=Established", f"crd/lamps.{group}", "--timeout=10s")
        applied = [lk.apply(o) for o in objs[1:]]
        assert [a.metadata.name for a in applied] == ["desk", "floor"]
        assert applied[0].spec["watts"] == 40, "defaulted"
        assert [(m.manager, m.operation) for m in applied[0].metadata.managedFields] == [("lightkube-op", "Apply")]
        Lamp = type(objs[1])
        assert sorted(o.metadata.name for o in lk.list(Lamp, namespace=namespace)) == ["desk", "floor"]

        other = Client(config=KubeConfig.from_file(server.kubeconfig), field_manager="dimmer")
        change = codecs.from_dict({"apiVersion": f"{group}/v1", "kind": "Lamp", "metadata": {"name": "desk", "namespace": namespace},
                                   "spec": {"color": "red", "bulbs": [{"socket": "side", "kind": "halogen"}]}})
        with pytest.raises(ApiError) as e:
            other.apply(change)
        assert e.value.status.code == 409 and 'conflict with "lightkube-op": .spec.color' in e.value.status.message
        got = other.apply(change, force=True)
        assert got.spec["color"] == "red"
        assert sorted(b["socket"] for b in got.spec["bulbs"]) == ["side", "top"], "map list merged by socket"
        lk.delete(Lamp, "floor", namespace=namespace)
        assert [o.metadata.name for o in lk.list(Lamp, namespace=namespace)] == ["desk"]
    finally:
        kubectl.run("delete", "crd", f"lamps.{group}", "--wait=false", check=False)
