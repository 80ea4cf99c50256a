"""Issue 9, "no request may crash the server": every reproduction from the issue
against the real binary. Each request gets upstream's answer (status, reason and
message where upstream words it) and the server still answers /readyz after it.
Objects written before decoding checked ranges are simulated by editing the
stored row in state.db while the server is stopped."""
import json
import os
import sqlite3
import tempfile
import time

import pytest

from conftest import Server, free_port, wait_for
from raw_api import RawAPI
import stored_values

INT64_MAX = 9223372036854775807
INT32_MAX = 2147483647


class Cluster:
    """One control plane for the module, restarted on a fresh data dir if a test killed it."""

    def __init__(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="edgectl-crash-inputs-")
        self.server = None
        self.api = None
        self.generation = 0

    def ensure(self):
        if self.server is None or self.server.proc.poll() is not None:
            self.generation += 1
            d = os.path.join(self.tmp.name, str(self.generation))
            os.makedirs(d)
            self.server = Server(d, free_port()).start()
            self.api = RawAPI(self.server.kubeconfig)
        return self

    def log_tail(self):
        try:
            return open(self.server.log_path, errors="replace").read()[-3000:]
        except OSError:
            return ""

    def assert_alive(self, after=""):
        assert self.server.proc.poll() is None, f"the server died {after}:\n{self.log_tail()}"
        assert self.api.ready(), f"the server stopped answering /readyz {after}:\n{self.log_tail()}"

    def close(self):
        if self.server:
            self.server.stop()
        self.tmp.cleanup()


@pytest.fixture(scope="module")
def cluster():
    c = Cluster()
    yield c
    c.close()


@pytest.fixture
def api(cluster):
    cluster.ensure()
    yield cluster.api
    cluster.assert_alive("after this test's requests")


_names = iter(range(1_000_000))


@pytest.fixture
def ns(api):
    name = f"crash-{next(_names)}-{int(time.time() * 1000) % 100000}"
    status, body = api.json("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    assert status == 201, body
    return name


def assert_status(resp, code, reason, message=None, contains=None):
    status, body = resp
    assert status == code, body
    assert isinstance(body, dict) and body.get("kind") == "Status" and body["code"] == code, body
    assert body["reason"] == reason, body
    if message is not None:
        assert body["message"] == message, body
    if contains is not None:
        assert contains in body["message"], body
    return body


def pod(name, node="ghost-node", **spec):
    body = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"nodeName": node, "containers": [{"name": "c", "image": "busybox"}]}}
    body["spec"].update(spec)
    return body


def watch_events(api, path):
    """The events of a watch that ends by its timeoutSeconds."""
    status, _, data = api.request("GET", path)
    assert status == 200, data
    return [json.loads(line) for line in data.splitlines() if line.strip()]


# ---------- query parameters (issue item 5) ----------

def test_watch_from_int64_max_resource_version_waits_quietly(api, ns):
    # Upstream accepts a watch ahead of the store: it delivers nothing until the store passes that revision.
    for rv in [INT64_MAX, 18446744073709551615]:
        events = watch_events(api, f"/api/v1/namespaces/{ns}/configmaps?watch=1&resourceVersion={rv}&timeoutSeconds=1")
        assert events == []
    assert_status(api.json("GET", f"/api/v1/namespaces/{ns}/configmaps?watch=1&resourceVersion=18446744073709551616"), 400, "BadRequest")


def test_watch_with_int64_max_timeout_is_served(api, ns):
    # No end in sight: the answer starts (200, chunked) and the client leaves after a moment.
    c = api.tls_socket(timeout=3)
    try:
        c.sendall(f"GET /api/v1/namespaces/{ns}/configmaps?watch=1&timeoutSeconds={INT64_MAX}&limit={INT64_MAX} HTTP/1.1\r\n"
                  f"Host: x\r\n\r\n".encode())
        head = c.recv(4096)
        assert head.startswith(b"HTTP/1.1 200"), head
    finally:
        c.close()
    assert_status(api.json("GET", f"/api/v1/namespaces/{ns}/configmaps?watch=1&timeoutSeconds=-1"), 400, "BadRequest")


def test_list_with_int64_max_limit_lists_everything(api, ns):
    for i in range(3):
        assert api.json("POST", f"/api/v1/namespaces/{ns}/configmaps", {"metadata": {"name": f"cm{i}"}})[0] == 201
    status, body = api.json("GET", f"/api/v1/namespaces/{ns}/configmaps?limit={INT64_MAX}")
    assert status == 200, body
    # Every namespace also holds kube-root-ca.crt (the root CA publisher, as upstream).
    assert sorted(i["metadata"]["name"] for i in body["items"] if i["metadata"]["name"] != "kube-root-ca.crt") == ["cm0", "cm1", "cm2"]
    assert not body["metadata"].get("continue")
    assert_status(api.json("GET", f"/api/v1/namespaces/{ns}/configmaps?limit=9223372036854775808"), 400, "BadRequest",
                  'strconv.ParseInt: parsing "9223372036854775808": value out of range')
    assert_status(api.json("GET", f"/api/v1/namespaces/{ns}/configmaps?limit=ten"), 400, "BadRequest",
                  'strconv.ParseInt: parsing "ten": invalid syntax')


def test_delete_with_int64_max_grace_period(api, ns):
    assert api.json("POST", f"/api/v1/namespaces/{ns}/pods", pod("p"))[0] == 201
    for q in [f"gracePeriodSeconds={INT64_MAX}&dryRun=All", "gracePeriodSeconds=-9223372036854775808&dryRun=All"]:
        status, body = api.json("DELETE", f"/api/v1/namespaces/{ns}/pods/p?{q}")
        assert status in (200, 202), body
        assert body["kind"] == "Pod"
    status, body = api.json("DELETE", f"/api/v1/namespaces/{ns}/pods/p?gracePeriodSeconds={INT64_MAX}")
    assert status in (200, 202), body
    # The deletion time saturates at the last instant RFC 3339 writes with four digits.
    assert body["metadata"]["deletionTimestamp"] == "9999-12-31T23:59:59Z", body["metadata"]
    assert body["metadata"]["deletionGracePeriodSeconds"] == INT64_MAX
    assert_status(api.json("DELETE", f"/api/v1/namespaces/{ns}/pods/p?gracePeriodSeconds=9223372036854775808"), 400, "BadRequest",
                  'strconv.ParseInt: parsing "9223372036854775808": value out of range')
    body = assert_status(api.json("DELETE", f"/api/v1/namespaces/{ns}/pods/p", {"kind": "DeleteOptions", "apiVersion": "v1",
                                                                               "gracePeriodSeconds": 1e30}), 400, "BadRequest")
    assert "into Go struct field DeleteOptions.gracePeriodSeconds of type int64" in body["message"], body
    # A grace period of 0 still ends it at once.
    assert api.json("DELETE", f"/api/v1/namespaces/{ns}/pods/p?gracePeriodSeconds=0")[0] == 200


def test_pod_log_options_are_range_checked(api, ns):
    assert api.json("POST", f"/api/v1/namespaces/{ns}/pods", pod("logs", node=""))[0] == 201
    base = f"/api/v1/namespaces/{ns}/pods/logs/log"
    body = assert_status(api.json("GET", base + "?tailLines=-1"), 422, "Invalid",
                         'PodLogOptions "logs" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0')
    assert body["details"]["causes"][0]["field"] == "tailLines"
    assert_status(api.json("GET", base + "?limitBytes=0"), 422, "Invalid",
                  'PodLogOptions "logs" is invalid: limitBytes: Invalid value: 0: must be greater than 0')
    assert_status(api.json("GET", base + "?sinceSeconds=0"), 422, "Invalid",
                  'PodLogOptions "logs" is invalid: sinceSeconds: Invalid value: 0: must be greater than 0')
    assert_status(api.json("GET", base + "?sinceSeconds=5&sinceTime=2026-01-01T00:00:00Z"), 422, "Invalid",
                  contains="at most one of `sinceTime` or `sinceSeconds` may be specified")
    assert_status(api.json("GET", base + "?tailLines=9223372036854775808"), 400, "BadRequest",
                  'strconv.ParseInt: parsing "9223372036854775808": value out of range')
    # In range however large: the pod is not scheduled, so there is nothing to read yet.
    for q in [f"sinceSeconds={INT64_MAX}", f"tailLines={INT64_MAX}", f"limitBytes={INT64_MAX}"]:
        status, _, data = api.request("GET", base + "?" + q)
        assert status == 200 and data == b"", (q, status, data)


def test_scale_subresource_refuses_out_of_range_replicas(api, ns):
    dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
           "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "d"}},
                    "template": {"metadata": {"labels": {"app": "d"}}, "spec": {"containers": [{"name": "c", "image": "busybox"}]}}}}
    assert api.json("POST", f"/apis/apps/v1/namespaces/{ns}/deployments", dep)[0] == 201
    scale = {"apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": {"name": "d", "namespace": ns}, "spec": {"replicas": 2147483648}}
    assert_status(api.json("PUT", f"/apis/apps/v1/namespaces/{ns}/deployments/d/scale", scale), 400, "BadRequest",
                  'Scale in version "v1" cannot be handled as a Scale: json: cannot unmarshal number 2147483648 '
                  'into Go struct field ScaleSpec.spec.replicas of type int32')
    body = assert_status(api.json("PATCH", f"/apis/apps/v1/namespaces/{ns}/deployments/d/scale", {"spec": {"replicas": INT64_MAX}},
                                  {"Content-Type": "application/merge-patch+json"}), 422, "Invalid")
    assert body["details"]["causes"][0]["field"] == "patch"
    assert "of type int32" in body["message"]


def test_continue_token_from_the_future(api, ns):
    import base64
    token = base64.b64encode(json.dumps({"v": "meta.k8s.io/v1", "rv": INT64_MAX, "start": "a"}).encode()).decode()
    status, body = api.json("GET", f"/api/v1/namespaces/{ns}/configmaps?limit=1&continue={token}")
    assert status in (400, 410, 504), body
    bad = base64.b64encode(json.dumps({"v": "meta.k8s.io/v1", "rv": 1e300, "start": "a"}).encode()).decode()
    assert_status(api.json("GET", f"/api/v1/namespaces/{ns}/configmaps?limit=1&continue={bad}"), 400, "BadRequest")


# ---------- bodies: int32 fields refused at decode (issue item 6) ----------

def job(name, **spec):
    body = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name},
            "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}}}
    body["spec"].update(spec)
    return body


def replicaset(name, **spec):
    body = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": name},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "c", "image": "busybox"}]}}}}
    body["spec"].update(spec)
    return body


def test_job_with_int64_max_ttl_is_refused_at_create(api, ns):
    assert_status(api.json("POST", f"/apis/batch/v1/namespaces/{ns}/jobs", job("ttl", ttlSecondsAfterFinished=INT64_MAX)), 400, "BadRequest",
                  'Job in version "v1" cannot be handled as a Job: json: cannot unmarshal number 9223372036854775807 '
                  'into Go struct field JobSpec.spec.ttlSecondsAfterFinished of type int32')
    assert_status(api.json("POST", f"/apis/batch/v1/namespaces/{ns}/jobs", job("ttl", ttlSecondsAfterFinished=-1)), 422, "Invalid",
                  contains="spec.ttlSecondsAfterFinished: Invalid value: -1: must be greater than or equal to 0")
    assert api.json("POST", f"/apis/batch/v1/namespaces/{ns}/jobs", job("ttl", ttlSecondsAfterFinished=INT32_MAX, completions=0))[0] == 201
    time.sleep(2)  # the Job finishes at once (no completions wanted) and its TTL clock starts


def test_replicaset_out_of_range_fields_are_refused(api, ns):
    path = f"/apis/apps/v1/namespaces/{ns}/replicasets"
    assert_status(api.json("POST", path, replicaset("rs", minReadySeconds=INT64_MAX)), 400, "BadRequest",
                  'ReplicaSet in version "v1" cannot be handled as a ReplicaSet: json: cannot unmarshal number 9223372036854775807 '
                  'into Go struct field ReplicaSetSpec.spec.minReadySeconds of type int32')
    assert_status(api.json("POST", path, replicaset("rs", replicas=2147483648)), 400, "BadRequest",
                  contains="ReplicaSetSpec.spec.replicas of type int32")
    assert_status(api.json("POST", path, replicaset("rs", replicas=1.5)), 400, "BadRequest",
                  contains="cannot unmarshal number 1.5 into Go struct field ReplicaSetSpec.spec.replicas of type int32")
    assert_status(api.json("POST", path, replicaset("rs", replicas="1")), 400, "BadRequest",
                  contains="cannot unmarshal string into Go struct field ReplicaSetSpec.spec.replicas of type int32")


def test_raw_post_with_replicas_past_int32(api, ns):
    text = json.dumps(replicaset("raw")).replace('"replicas": 1', '"replicas": 2147483648').encode()
    status, body = api.json("POST", f"/apis/apps/v1/namespaces/{ns}/replicasets", text)
    assert status == 400 and "of type int32" in body["message"], body


def test_update_and_patch_check_ranges_too(api, ns):
    path = f"/apis/apps/v1/namespaces/{ns}/replicasets"
    status, rs = api.json("POST", path, replicaset("upd", replicas=0))
    assert status == 201, rs
    rs["spec"]["replicas"] = 2147483648
    assert_status(api.json("PUT", f"{path}/upd", rs), 400, "BadRequest", contains="ReplicaSetSpec.spec.replicas of type int32")
    for ctype in ["application/merge-patch+json", "application/strategic-merge-patch+json"]:
        body = assert_status(api.json("PATCH", f"{path}/upd", {"spec": {"minReadySeconds": INT64_MAX}}, {"Content-Type": ctype}), 422, "Invalid")
        assert body["details"]["causes"][0]["field"] == "patch" and "ReplicaSetSpec.spec.minReadySeconds of type int32" in body["message"]
    ops = [{"op": "replace", "path": "/spec/replicas", "value": -2147483649}]
    assert_status(api.json("PATCH", f"{path}/upd", ops, {"Content-Type": "application/json-patch+json"}), 422, "Invalid",
                  contains="of type int32")


def test_int64_fields_at_int64_max_do_not_trap(api, ns):
    """Fields upstream types as int64 take any int64: every use of them saturates."""
    # A Node with a NoExecute taint and a pod tolerating it for int64-max seconds (node lifecycle arithmetic).
    node = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": f"tainted-{ns}"},
            "spec": {"taints": [{"key": "node.kubernetes.io/unreachable", "effect": "NoExecute", "timeAdded": "2026-01-01T00:00:00Z"}]}}
    assert api.json("POST", "/api/v1/nodes", node)[0] == 201
    tolerant = pod("tolerant", node=f"tainted-{ns}", terminationGracePeriodSeconds=INT64_MAX,
                   tolerations=[{"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
                                 "tolerationSeconds": INT64_MAX}])
    assert api.json("POST", f"/api/v1/namespaces/{ns}/pods", tolerant)[0] == 201
    # A Job whose deadline is int64-max seconds away (job controller requeue arithmetic).
    assert api.json("POST", f"/apis/batch/v1/namespaces/{ns}/jobs", job("deadline", activeDeadlineSeconds=INT64_MAX, suspend=True))[0] == 201
    # A CronJob with an int64-max starting deadline.
    cj = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "cj"},
          "spec": {"schedule": "* * * * *", "startingDeadlineSeconds": INT64_MAX, "jobTemplate": {"spec": job("x")["spec"]}}}
    assert api.json("POST", f"/apis/batch/v1/namespaces/{ns}/cronjobs", cj)[0] == 201
    time.sleep(3)
    # Deleting the pod uses its int64-max termination grace period.
    status, body = api.json("DELETE", f"/api/v1/namespaces/{ns}/pods/tolerant")
    assert status in (200, 202), body
    assert body["metadata"]["deletionTimestamp"] == "9999-12-31T23:59:59Z"
    time.sleep(1)
    api.json("DELETE", f"/api/v1/nodes/tainted-{ns}")


# ---------- objects stored before this fix (issue item 6, crash loops) ----------

def edit_stored(cluster, key, edit):
    """Stops the server, rewrites the newest row of `key` in state.db with edit(obj), starts it again."""
    cluster.server.stop()
    db = sqlite3.connect(os.path.join(cluster.server.data_dir, "db", "state.db"))
    try:
        row = stored_values.newest(db, key)
        assert row, f"no stored row for {key}"
        obj = json.loads(row[1])
        edit(obj)
        stored_values.replace(db, row[0], json.dumps(obj).encode())
        db.commit()
    finally:
        db.close()
    cluster.server.start()
    cluster.api = RawAPI(cluster.server.kubeconfig)


def test_stored_job_with_int64_max_ttl_does_not_crash_loop(cluster, api, ns):
    assert api.json("POST", f"/apis/batch/v1/namespaces/{ns}/jobs", job("old-ttl", ttlSecondsAfterFinished=1000, completions=0))[0] == 201
    wait_for(lambda: any(c["type"] == "Complete" for c in
                         api.json("GET", f"/apis/batch/v1/namespaces/{ns}/jobs/old-ttl")[1].get("status", {}).get("conditions", [])),
             20, "the Job to complete")
    edit_stored(cluster, f"/registry/batch/jobs/{ns}/old-ttl", lambda o: o["spec"].update(ttlSecondsAfterFinished=INT64_MAX))
    time.sleep(4)  # the old binary died two seconds after start, and again on every restart
    cluster.assert_alive("with a stored Job whose ttlSecondsAfterFinished is int64-max")
    status, body = cluster.api.json("GET", f"/apis/batch/v1/namespaces/{ns}/jobs/old-ttl")
    assert status == 200 and body["spec"]["ttlSecondsAfterFinished"] == INT64_MAX


def test_stored_replicaset_with_int64_max_min_ready_does_not_crash(cluster, api, ns):
    assert api.json("POST", f"/apis/apps/v1/namespaces/{ns}/replicasets", replicaset("old-rs"))[0] == 201
    pods = wait_for(lambda: api.json("GET", f"/api/v1/namespaces/{ns}/pods")[1]["items"], 20, "the ReplicaSet's pod")
    edit_stored(cluster, f"/registry/apps/replicasets/{ns}/old-rs", lambda o: o["spec"].update(minReadySeconds=INT64_MAX))
    api = cluster.api
    # The pod becomes ready: availability is minReadySeconds after that.
    p = pods[0]
    name = p["metadata"]["name"]
    p = api.json("GET", f"/api/v1/namespaces/{ns}/pods/{name}")[1]
    p["status"] = {"phase": "Running", "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": "2026-01-01T00:00:00Z"}]}
    status, body = api.json("PUT", f"/api/v1/namespaces/{ns}/pods/{name}/status", p)
    assert status == 200, body
    time.sleep(3)
    cluster.assert_alive("with a stored ReplicaSet whose minReadySeconds is int64-max")
