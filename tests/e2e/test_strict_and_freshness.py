"""Issue 9 item 13 on the real binary: fieldValidation=Strict refuses repeated
keys with upstream's strict decoding error (Warn reports them as Warning
headers), and a read at a resourceVersion ahead of the store waits as
upstream's watch cache does, then answers 504 "Too large resource version"."""
import json
import time

from raw_api import RawAPI

DEPLOYMENT = """{"apiVersion": "apps/v1", "kind": "Deployment",
 "metadata": {"name": "NAME", "labels": {"app": "web"}},
 "spec": {"paused": true, "paused": false, "selector": {"matchLabels": {"app": "web"}},
          "template": {"metadata": {"labels": {"app": "web"}},
                       "spec": {"containers": [{"name": "web", "image": "busybox",
                                                "imagePullPolicy": "Always", "imagePullPolicy": "Never"}]}}}}"""

FINDINGS = ['duplicate field "spec.paused"', 'duplicate field "spec.template.spec.containers[0].imagePullPolicy"']


def test_strict_refuses_repeated_keys_and_warn_reports_them(server, namespace):
    api = RawAPI(server.kubeconfig)
    path = f"/apis/apps/v1/namespaces/{namespace}/deployments"
    status, body = api.json("POST", path + "?fieldValidation=Strict", DEPLOYMENT.replace("NAME", "strict"))
    assert status == 400, body
    assert body["reason"] == "BadRequest"
    assert body["message"] == ('Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: '
                               + ", ".join(FINDINGS))
    status, headers, _ = api.request("POST", path + "?fieldValidation=Warn", DEPLOYMENT.replace("NAME", "warned"))
    assert status == 201
    warnings = [v for k, v in headers.items() if k == "warning"]
    # http.client folds repeated headers; the texts come in document order either way.
    text = ", ".join(warnings)
    assert text.index('duplicate field \\"spec.paused\\"') < text.index('imagePullPolicy'), text
    status, headers, _ = api.request("POST", path + "?fieldValidation=Ignore", DEPLOYMENT.replace("NAME", "ignored"))
    assert status == 201 and "warning" not in headers


def test_kubectl_strict_validation_reports_the_repeat(kubectl, namespace, tmp_path):
    f = tmp_path / "cm.json"
    f.write_text('{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "dup"}, "data": {"a": "1", "a": "2"}}')
    # --raw sends the file as written (kubectl's own YAML reader would refuse the repeat before the server sees it).
    r = kubectl.run("create", "--raw", f"/api/v1/namespaces/{namespace}/configmaps?fieldValidation=Strict", "-f", str(f), check=False)
    assert r.returncode != 0
    assert 'duplicate field "data.a"' in r.stderr, r.stderr


def test_read_ahead_of_the_store_waits_then_answers_504(server, namespace):
    api = RawAPI(server.kubeconfig)
    status, lst = api.json("GET", f"/api/v1/namespaces/{namespace}/configmaps")
    current = int(lst["metadata"]["resourceVersion"])
    ahead = current + 100000
    for path in [f"/api/v1/namespaces/{namespace}/configmaps?resourceVersion={ahead}",
                 f"/api/v1/namespaces/{namespace}/configmaps?resourceVersion={ahead}&resourceVersionMatch=NotOlderThan",
                 f"/api/v1/namespaces/{namespace}?resourceVersion={ahead}"]:
        t = time.time()
        status, headers, data = api.request("GET", path)
        waited = time.time() - t
        body = json.loads(data)
        assert status == 504, body
        assert waited >= 2.5, f"upstream waits up to 3 s for the revision; answered after {waited:.1f}s"
        assert body["reason"] == "Timeout"
        assert body["message"].startswith(f"Timeout: Too large resource version: {ahead}, current: ")
        assert body["details"]["causes"] == [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}]
        assert body["details"]["retryAfterSeconds"] == 1
        assert headers.get("retry-after") == "1"
    # A resourceVersion the store has reached is answered at once.
    t = time.time()
    status, _ = api.json("GET", f"/api/v1/namespaces/{namespace}/configmaps?resourceVersion={current}")
    assert status == 200 and time.time() - t < 2
