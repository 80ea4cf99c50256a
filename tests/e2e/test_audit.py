"""The audit log (`--audit-policy-file`, `--audit-log-path`) with kubectl 1.37 and the Python client:
each request recorded at the level its policy rule asks, as upstream's audit.k8s.io/v1 Events, one JSON
object per line; a Secret's data never in the log at Metadata; a policy upstream refuses stops the server."""
import base64
import json
import os
import subprocess
import tempfile

import pytest

from conftest import EDGECTL, Kubectl, Server, free_port, wait_for

POLICY = """\
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  # Health checks and discovery are noise.
  - level: None
    nonResourceURLs: ["/healthz*", "/readyz*", "/livez*", "/version", "/api*", "/openapi*"]
  - level: Metadata
    resources:
    - group: ""
      resources: ["secrets"]
  - level: RequestResponse
    resources:
    - group: ""
      resources: ["configmaps"]
    namespaces: ["audited"]
  - level: Request
    verbs: ["create", "delete"]
    resources:
    - group: "rbac.authorization.k8s.io"
  - level: Metadata
    users: ["nobody"]
  - level: Metadata
    verbs: ["create"]
    resources:
    - group: ""
      resources: ["pods"]
  - level: None
"""


@pytest.fixture(scope="module")
def audited():
    with tempfile.TemporaryDirectory(prefix="edgectl-e2e-audit-") as d:
        policy = os.path.join(d, "policy.yaml")
        with open(policy, "w") as f:
            f.write(POLICY)
        log = os.path.join(d, "audit", "audit.log")
        os.makedirs(os.path.join(d, "data"))
        s = Server(os.path.join(d, "data"), free_port(),
                   extra_args=["--audit-policy-file", policy, "--audit-log-path", log, "--audit-log-maxbackup", "3"]).start()
        try:
            yield s, Kubectl(s.kubeconfig), log
        finally:
            s.stop()


def events(log):
    with open(log) as f:
        return [json.loads(line) for line in f if line.strip()]


def find(log, pred, what):
    return wait_for(lambda: [e for e in events(log) if pred(e)], 10, what, show=lambda: events(log)[-5:])


def test_a_secret_is_logged_at_metadata_without_its_data(audited):
    server, kubectl, log = audited
    kubectl.run("create", "secret", "generic", "db-pass", "--from-literal=password=hunter2-audit-s3cret")
    kubectl.run("get", "secret", "db-pass", "-o", "json")
    created = find(log, lambda e: e["verb"] == "create" and e.get("objectRef", {}).get("resource") == "secrets", "the create event")
    e = created[0]
    assert e["kind"] == "Event" and e["apiVersion"] == "audit.k8s.io/v1"
    assert e["level"] == "Metadata" and e["stage"] == "ResponseComplete"
    assert e["objectRef"] == {"resource": "secrets", "namespace": "default", "name": "db-pass", "apiVersion": "v1"}
    assert e["responseStatus"] == {"metadata": {}, "code": 201}
    assert "system:masters" in e["user"]["groups"]
    assert e["userAgent"].startswith("kubectl/")
    assert e["sourceIPs"] == ["127.0.0.1"]
    assert e["annotations"]["authorization.k8s.io/decision"] == "allow"
    assert "requestObject" not in e and "responseObject" not in e
    assert e["requestReceivedTimestamp"].endswith("Z") and len(e["stageTimestamp"]) == len("2026-12-05T15:30:00.123456Z")
    find(log, lambda e: e["verb"] == "get" and e.get("objectRef", {}).get("name") == "db-pass", "the get event")
    # RequestReceived is omitted by the policy; None-level requests leave nothing.
    assert all(e["stage"] != "RequestReceived" for e in events(log))
    assert not [e for e in events(log) if e.get("objectRef", {}).get("resource") == "namespaces"]
    text = open(log).read()
    assert "hunter2-audit-s3cret" not in text
    assert base64.b64encode(b"hunter2-audit-s3cret").decode() not in text
    assert oct(os.stat(log).st_mode & 0o777) == "0o600"


def test_request_response_level_keeps_both_bodies_and_the_audit_id(audited):
    server, kubectl, log = audited
    kubectl.run("create", "namespace", "audited")
    kubectl.run("create", "configmap", "settings", "-n", "audited", "--from-literal=colour=teal")
    from kubernetes import client, config
    cfg = client.Configuration()
    config.load_kube_config(config_file=server.kubeconfig, client_configuration=cfg)
    api = client.CoreV1Api(client.ApiClient(cfg))
    _, status, headers = api.read_namespaced_config_map_with_http_info("settings", "audited")
    assert status == 200
    audit_id = headers["Audit-Id"]
    got = find(log, lambda e: e["auditID"] == audit_id, "the event of the Python client's read")
    assert got[0]["level"] == "RequestResponse" and got[0]["verb"] == "get"
    assert got[0]["responseObject"]["data"] == {"colour": "teal"}
    assert got[0]["userAgent"].startswith("OpenAPI-Generator/")
    created = find(log, lambda e: e["verb"] == "create" and e.get("objectRef", {}).get("name") == "settings", "the create event")[0]
    assert created["requestObject"]["data"] == {"colour": "teal"}
    assert created["responseObject"]["metadata"]["uid"]
    # A list in another namespace matches the final None rule.
    kubectl.run("get", "configmaps", "-n", "default")
    assert not [e for e in events(log) if e.get("objectRef", {}).get("resource") == "configmaps"
                and e.get("objectRef", {}).get("namespace") == "default"]


def test_request_level_rbac_writes_and_a_refused_impersonated_request(audited):
    server, kubectl, log = audited
    kubectl.run("create", "clusterrole", "audit-readers", "--verb=get", "--resource=pods")
    e = find(log, lambda e: e["verb"] == "create" and e.get("objectRef", {}).get("name") == "audit-readers", "the clusterrole event")[0]
    assert e["level"] == "Request"
    assert e["objectRef"]["apiGroup"] == "rbac.authorization.k8s.io" and e["objectRef"]["resource"] == "clusterroles"
    assert e["requestObject"]["rules"][0]["verbs"] == ["get"]
    assert "responseObject" not in e
    # The policy matches the real caller: the admin impersonating `nobody` is not `nobody`.
    r = kubectl.run("get", "pods", "--as", "nobody", check=False)
    assert r.returncode != 0
    assert not [e for e in events(log) if e.get("impersonatedUser", {}).get("username") == "nobody"]


def test_pod_security_notes_its_policy_and_audit_mode_violations(audited):
    server, kubectl, log = audited
    kubectl.run("create", "namespace", "psa-audit")
    kubectl.run("label", "namespace", "psa-audit", "pod-security.kubernetes.io/enforce=baseline",
                "pod-security.kubernetes.io/audit=restricted")
    kubectl.run("apply", "-n", "psa-audit", "-f", "-", input=json.dumps(
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "plain"}, "spec": {"containers": [{"name": "c", "image": "busybox"}]}}))
    e = find(log, lambda e: e["verb"] == "create" and e.get("objectRef", {}).get("name") == "plain", "the pod's event")[0]
    assert e["annotations"]["pod-security.kubernetes.io/enforce-policy"] == "baseline:latest"
    assert e["annotations"]["pod-security.kubernetes.io/audit-violations"].startswith(
        'would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false'), e["annotations"]


def test_a_token_user_refused_is_logged_with_the_forbidden_status(audited, tmp_path):
    server, kubectl, log = audited
    tokens = os.path.join(str(tmp_path), "tokens.csv")
    with open(tokens, "w") as f:
        f.write('nobody-token,nobody,1001,"team-x"\n')
    # The token file is a start-time flag: a second server on the same policy.
    (tmp_path / "data").mkdir()
    s = Server(str(tmp_path / "data"), free_port(),
               extra_args=["--audit-policy-file", os.path.join(os.path.dirname(log), "..", "policy.yaml"),
                           "--audit-log-path", str(tmp_path / "audit.log"), "--token-auth-file", tokens]).start()
    try:
        import yaml
        cfg = yaml.safe_load(open(s.kubeconfig))
        cfg["users"][0]["user"] = {"token": "nobody-token"}
        path = str(tmp_path / "nobody.yaml")
        with open(path, "w") as f:
            yaml.safe_dump(cfg, f)
        r = Kubectl(path).run("get", "pods", "-n", "default", check=False)
        assert r.returncode != 0 and "forbidden" in r.stderr
        e = find(str(tmp_path / "audit.log"), lambda e: e["user"].get("username") == "nobody", "nobody's event")[0]
        assert e["level"] == "Metadata" and e["verb"] == "list"
        assert e["user"]["groups"] == ["team-x", "system:authenticated"]
        assert e["responseStatus"]["code"] == 403 and e["responseStatus"]["reason"] == "Forbidden"
        assert 'User "nobody" cannot list resource "pods"' in e["responseStatus"]["message"]
        assert e["annotations"]["authorization.k8s.io/decision"] == "forbid"
    finally:
        s.stop()


def test_a_policy_upstream_refuses_stops_the_server(tmp_path):
    policy = tmp_path / "bad.yaml"
    policy.write_text("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Everything\n")
    r = subprocess.run([EDGECTL, "server", "--data-dir", str(tmp_path / "data"), "--bind-address", "127.0.0.1",
                        "--https-listen-port", str(free_port()), "--disable-agent", "--flannel-backend", "none",
                        "--audit-policy-file", str(policy), "--audit-log-path", str(tmp_path / "audit.log")],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode != 0
    assert ('rules[0].level: Unsupported value: "Everything": supported values: "None", "Metadata", "Request", '
            f'"RequestResponse": from file {policy}') in r.stderr, r.stderr
    assert not os.path.exists(tmp_path / "audit.log")
