"""Issue 2 acceptance: the official Python client, and bad input handled as upstream."""
import json

import pytest
from kubernetes import client, watch
from kubernetes.client.rest import ApiException

from conftest import wait_for


def cm(name, **labels):
    return client.V1ConfigMap(metadata=client.V1ObjectMeta(name=name, labels=labels or None), data={"k": name})


def test_list_with_resource_version_limit_and_continue(api, namespace):
    core = client.CoreV1Api(api)
    for i in range(7):
        core.create_namespaced_config_map(namespace, cm(f"page-{i}"))
    first = core.list_namespaced_config_map(namespace, limit=3)
    assert len(first.items) == 3 and first.metadata._continue
    rv = first.metadata.resource_version
    core.create_namespaced_config_map(namespace, cm("page-late"))  # after the snapshot: not in later pages
    names = [x.metadata.name for x in first.items]
    token = first.metadata._continue
    while token:
        page = core.list_namespaced_config_map(namespace, limit=3, _continue=token)
        assert page.metadata.resource_version == rv  # every page is served at the first page's revision
        names += [x.metadata.name for x in page.items]
        token = page.metadata._continue
    assert [n for n in names if n.startswith("page-")] == [f"page-{i}" for i in range(7)]
    exact = core.list_namespaced_config_map(namespace, resource_version=rv, resource_version_match="Exact")
    assert "page-late" not in [x.metadata.name for x in exact.items]
    now = core.list_namespaced_config_map(namespace, resource_version="0")
    assert "page-late" in [x.metadata.name for x in now.items]
    with pytest.raises(ApiException) as e:
        core.list_namespaced_config_map(namespace, _continue="not-a-token")
    assert e.value.status == 400


def test_watch_resumes_after_dropped_connection(api, namespace):
    core = client.CoreV1Api(api)
    # The root CA publisher adds kube-root-ca.crt to a new namespace shortly after it is made, as upstream's:
    # wait for it so the watch sees only this test's objects.
    wait_for(lambda: [c for c in core.list_namespaced_config_map(namespace).items if c.metadata.name == "kube-root-ca.crt"],
             30, "kube-root-ca.crt in the new namespace")
    start_rv = core.list_namespaced_config_map(namespace).metadata.resource_version
    seen = []
    last_rv = start_rv
    # First connection: read two events, then drop it.
    core.create_namespaced_config_map(namespace, cm("w-0"))
    core.create_namespaced_config_map(namespace, cm("w-1"))
    w = watch.Watch()
    for ev in w.stream(core.list_namespaced_config_map, namespace, resource_version=start_rv, timeout_seconds=10):
        seen.append((ev["type"], ev["object"].metadata.name))
        last_rv = ev["object"].metadata.resource_version
        if len(seen) == 2:
            w.stop()
            break
    # While nobody watches, more happens.
    core.create_namespaced_config_map(namespace, cm("w-2"))
    core.patch_namespaced_config_map("w-0", namespace, {"data": {"k": "changed"}})
    core.delete_namespaced_config_map("w-1", namespace)
    w = watch.Watch()
    for ev in w.stream(core.list_namespaced_config_map, namespace, resource_version=last_rv, timeout_seconds=10):
        seen.append((ev["type"], ev["object"].metadata.name))
        if len(seen) == 5:
            w.stop()
            break
    assert seen == [("ADDED", "w-0"), ("ADDED", "w-1"), ("ADDED", "w-2"), ("MODIFIED", "w-0"), ("DELETED", "w-1")]


def test_replace_with_stale_resource_version_conflicts(api, namespace):
    core = client.CoreV1Api(api)
    created = core.create_namespaced_config_map(namespace, cm("stale"))
    fresh = core.read_namespaced_config_map("stale", namespace)
    fresh.data = {"k": "v2"}
    core.replace_namespaced_config_map("stale", namespace, fresh)
    created.data = {"k": "v3"}
    with pytest.raises(ApiException) as e:
        core.replace_namespaced_config_map("stale", namespace, created)
    assert e.value.status == 409
    body = json.loads(e.value.body)
    assert body["kind"] == "Status" and body["reason"] == "Conflict"
    assert "the object has been modified" in body["message"]
    assert core.read_namespaced_config_map("stale", namespace).data == {"k": "v2"}


def test_invalid_object_gets_422_with_causes(api, namespace):
    apps = client.AppsV1Api(api)
    bad = {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "Bad_Name"},
        "spec": {"replicas": -1, "selector": {"matchLabels": {"app": "x"}},
                 "template": {"metadata": {"labels": {"app": "y"}},
                              "spec": {"containers": [{"name": "c", "image": "busybox"}, {"name": "c", "image": ""}]}}},
    }
    with pytest.raises(ApiException) as e:
        apps.create_namespaced_deployment(namespace, bad)
    assert e.value.status == 422
    body = json.loads(e.value.body)
    assert body["reason"] == "Invalid"
    fields = {c["field"] for c in body["details"]["causes"]}
    assert "metadata.name" in fields
    assert "spec.replicas" in fields
    assert "spec.template.metadata.labels" in fields
    assert "spec.template.spec.containers[1].name" in fields
    assert "spec.template.spec.containers[1].image" in fields


def raw(api, method, path, body=None, headers=None):
    """A request with the client's credentials, returning (status, parsed body)."""
    h = {"Content-Type": "application/json", "Accept": "application/json"}
    h.update(headers or {})
    url = api.configuration.host + path
    if body is not None and not isinstance(body, (bytes, str)):
        body = json.dumps(body)
    r = api.rest_client.pool_manager.request(method, url, body=body, headers=h, preload_content=True)
    try:
        return r.status, json.loads(r.data)
    except ValueError:
        return r.status, r.data


@pytest.mark.parametrize("method,path,body,ctype,status,reason", [
    ("POST", "/api/v1/namespaces/{ns}/configmaps", b"{not json", None, 400, "BadRequest"),
    ("POST", "/api/v1/namespaces/{ns}/configmaps", {"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "x"}}, None, 400, "BadRequest"),
    ("POST", "/api/v1/namespaces/{ns}/configmaps", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}}, None, 422, "Invalid"),
    ("GET", "/api/v1/namespaces/{ns}/configmaps/missing", None, None, 404, "NotFound"),
    ("GET", "/api/v1/namespaces/{ns}/widgets", None, None, 404, "NotFound"),
    ("GET", "/apis/nope.example.com/v1/things", None, None, 404, "NotFound"),
    ("POST", "/api/v1/namespaces/no-such-ns/configmaps", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}, None, 404, "NotFound"),
    ("PATCH", "/api/v1/namespaces/{ns}/configmaps/dup", {"data": 1}, "application/x-unknown", 415, "UnsupportedMediaType"),
    ("GET", "/api/v1/namespaces/{ns}/configmaps?labelSelector=a%20in%20(", None, None, 400, "BadRequest"),
    ("GET", "/api/v1/namespaces/{ns}/configmaps?limit=-3", None, None, 400, "BadRequest"),
    ("POST", "/api/v1/namespaces/{ns}/configmaps?fieldValidation=Strict",
     {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "strict"}, "bogus": 1}, None, 400, "BadRequest"),
])
def test_bad_input_gets_status(api, namespace, method, path, body, ctype, status, reason):
    headers = {"Content-Type": ctype} if ctype else None
    code, resp = raw(api, method, path.format(ns=namespace), body, headers)
    assert code == status, resp
    assert resp["kind"] == "Status" and resp["status"] == "Failure" and resp["code"] == status
    assert resp["reason"] == reason and resp["message"]


def test_duplicate_and_oversized(api, namespace):
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "dup"}}
    assert raw(api, "POST", f"/api/v1/namespaces/{namespace}/configmaps", obj)[0] == 201
    code, resp = raw(api, "POST", f"/api/v1/namespaces/{namespace}/configmaps", obj)
    assert code == 409 and resp["reason"] == "AlreadyExists"
    big = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "big"}, "data": {"x": "a" * (3 * 1024 * 1024 + 10)}}
    code, resp = raw(api, "POST", f"/api/v1/namespaces/{namespace}/configmaps", big)
    assert code == 413 and resp["reason"] == "RequestEntityTooLarge"
    # The server keeps serving after bad input.
    assert raw(api, "GET", f"/api/v1/namespaces/{namespace}/configmaps/dup")[0] == 200


def test_anonymous_and_unauthorized(server):
    import ssl
    import urllib.request
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    base = f"https://127.0.0.1:{server.port}"
    assert urllib.request.urlopen(base + "/healthz", context=ctx).read() == b"ok"
    assert json.loads(urllib.request.urlopen(base + "/version", context=ctx).read())["minor"] == "37"
    for path, token in [("/api/v1/pods", None), ("/api/v1/pods", "bogus.token")]:
        req = urllib.request.Request(base + path)
        if token:
            req.add_header("Authorization", "Bearer " + token)
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(req, context=ctx)
        assert e.value.code == 401
        assert json.loads(e.value.read())["reason"] == "Unauthorized"
