"""kubectl v1.37 `create -f` / `apply -f` of a `kind: List` with validation on.

kubectl validates a List on the client side (server-side field validation is
per object): it fetches /openapi/v2 as gnostic protobuf and checks every item
against the definitions, so these tests exercise that document end to end."""
import os

import yaml


def list_manifest(*items):
    return yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": list(items)})


def config_map(name, data):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}


def service(name, port=80, **port_extra):
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
            "spec": {"selector": {"app": name}, "ports": [dict({"port": port, "targetPort": 8080}, **port_extra)]}}


def write(tmp_path, name, text):
    p = os.path.join(tmp_path, name)
    with open(p, "w") as f:
        f.write(text)
    return p


def test_create_list_with_default_validation(kubectl, namespace, tmp_path):
    path = write(tmp_path, "list.yaml", list_manifest(config_map("list-cm", {"greeting": "hello"}), service("list-svc")))
    out = kubectl.run("create", "-n", namespace, "-f", path).stdout
    assert "configmap/list-cm created" in out
    assert "service/list-svc created" in out
    assert kubectl.json("get", "-n", namespace, "configmap", "list-cm")["data"] == {"greeting": "hello"}
    svc = kubectl.json("get", "-n", namespace, "service", "list-svc")
    assert [p["port"] for p in svc["spec"]["ports"]] == [80]


def test_apply_list_with_default_validation(kubectl, namespace, tmp_path):
    path = write(tmp_path, "list.yaml", list_manifest(config_map("applied-cm", {"mode": "one"}), service("applied-svc")))
    out = kubectl.run("apply", "-n", namespace, "-f", path).stdout
    assert "configmap/applied-cm created" in out
    assert "service/applied-svc created" in out

    changed = write(tmp_path, "list2.yaml", list_manifest(config_map("applied-cm", {"mode": "two"}), service("applied-svc", 81)))
    out = kubectl.run("apply", "-n", namespace, "-f", changed).stdout
    assert "configmap/applied-cm configured" in out
    assert "service/applied-svc configured" in out
    assert kubectl.json("get", "-n", namespace, "configmap", "applied-cm")["data"] == {"mode": "two"}
    svc = kubectl.json("get", "-n", namespace, "service", "applied-svc")
    assert [p["port"] for p in svc["spec"]["ports"]] == [81]


def test_create_list_with_unknown_fields_fails_strict_validation(kubectl, namespace, tmp_path):
    bad_cm = dict(config_map("strict-cm", {"a": "b"}), bogus="x")
    path = write(tmp_path, "bad.yaml", list_manifest(bad_cm, service("strict-svc", portz=3)))
    r = kubectl.run("create", "-n", namespace, "-f", path, check=False)
    assert r.returncode != 0
    # kubectl's client-side (openapi v2) validation message, top level and nested.
    assert f'error validating "{path}": error validating data:' in r.stderr, r.stderr
    assert 'unknown field "bogus" in io.k8s.api.core.v1.ConfigMap' in r.stderr, r.stderr
    assert 'unknown field "portz" in io.k8s.api.core.v1.ServicePort' in r.stderr, r.stderr
    assert "turn validation off with --validate=false" in r.stderr
    # The List is validated as a whole before anything is sent: nothing was created.
    for kind, name in [("configmap", "strict-cm"), ("service", "strict-svc")]:
        missing = kubectl.run("get", "-n", namespace, kind, name, check=False)
        assert missing.returncode != 0 and "NotFound" in missing.stderr
