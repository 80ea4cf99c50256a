"""Issue 12, compatibility defects found with real clients: what DELETE answers per resource,
the status fields upstream always sends, error Status bodies byte for byte, 404 for writes to
resources the server does not serve, ReplicationControllers (with their controller) and
APIService objects, all through the official Python client where one is involved."""
import json

import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException

from conftest import wait_for

TEMPLATE = {"metadata": {"labels": {"app": "a"}},
            "spec": {"containers": [{"name": "c", "image": "busybox", "command": ["sleep", "3600"]}]}}
SELECTOR = {"matchLabels": {"app": "a"}}


def raw(api, method, path, body=None, headers=None):
    """(status, body bytes) with the client's credentials."""
    h = {"Content-Type": "application/json", "Accept": "application/json"}
    h.update(headers or {})
    if body is not None and not isinstance(body, (bytes, str)):
        body = json.dumps(body)
    r = api.rest_client.pool_manager.request(method, api.configuration.host + path, body=body, headers=h,
                                             preload_content=True)
    return r.status, r.data


def test_delete_answers_services_and_service_accounts_with_the_deleted_object(api, namespace):
    core = client.CoreV1Api(api)
    core.create_namespaced_service(namespace, {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
                                               "spec": {"ports": [{"port": 80}]}})
    gone = core.delete_namespaced_service("web", namespace)
    assert isinstance(gone, client.V1Service) and gone.metadata.name == "web" and gone.spec.cluster_ip
    core.create_namespaced_service_account(namespace, {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "robot"}})
    sa = core.delete_namespaced_service_account("robot", namespace)
    assert isinstance(sa, client.V1ServiceAccount) and sa.metadata.name == "robot"
    # A pod no node runs is deleted at once, and answered with itself.
    core.create_namespaced_pod(namespace, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                                           "spec": {"containers": [{"name": "c", "image": "busybox"}],
                                                    "nodeSelector": {"nowhere": "true"}}})
    pod = core.delete_namespaced_pod("p", namespace)
    assert isinstance(pod, client.V1Pod) and pod.metadata.name == "p"


def test_delete_answers_a_status_elsewhere_without_an_empty_group(api, namespace):
    core = client.CoreV1Api(api)
    core.create_namespaced_config_map(namespace, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}})
    status, body = raw(api, "DELETE", f"/api/v1/namespaces/{namespace}/configmaps/c")
    assert status == 200
    doc = json.loads(body)
    assert doc["kind"] == "Status" and doc["status"] == "Success"
    assert doc["details"]["kind"] == "configmaps" and "group" not in doc["details"], doc


def test_a_delete_that_waits_is_200_unless_orphan_dependents_false(api, namespace):
    core = client.CoreV1Api(api)
    for name in ("held-1", "held-2"):
        core.create_namespaced_config_map(namespace, {"apiVersion": "v1", "kind": "ConfigMap",
                                                      "metadata": {"name": name, "finalizers": ["example.com/hold"]}})
    status, body = raw(api, "DELETE", f"/api/v1/namespaces/{namespace}/configmaps/held-1")
    assert status == 200 and json.loads(body)["metadata"]["deletionTimestamp"]
    status, _ = raw(api, "DELETE", f"/api/v1/namespaces/{namespace}/configmaps/held-2",
                    {"apiVersion": "v1", "kind": "DeleteOptions", "orphanDependents": False})
    assert status == 202
    for name in ("held-1", "held-2"):
        core.patch_namespaced_config_map(name, namespace, {"metadata": {"finalizers": None}})


def test_creates_answer_the_status_counts_upstream_always_sends(api, namespace):
    apps = client.AppsV1Api(api)
    ds = apps.create_namespaced_daemon_set(namespace, {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "d"},
                                                       "spec": {"selector": SELECTOR, "template": TEMPLATE}})
    assert (ds.status.current_number_scheduled, ds.status.number_misscheduled, ds.status.desired_number_scheduled,
            ds.status.number_ready) == (0, 0, 0, 0)
    rs = apps.create_namespaced_replica_set(namespace, {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "r"},
                                                        "spec": {"replicas": 0, "selector": SELECTOR, "template": TEMPLATE}})
    assert rs.status.replicas == 0
    sts = apps.create_namespaced_stateful_set(namespace, {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "s"},
                                                          "spec": {"replicas": 0, "selector": SELECTOR, "template": TEMPLATE,
                                                                   "serviceName": "s"}})
    assert sts.status.replicas == 0
    hpa = client.AutoscalingV2Api(api).create_namespaced_horizontal_pod_autoscaler(namespace, {
        "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "h"},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "r"}, "maxReplicas": 2}})
    assert hpa.status.desired_replicas is not None
    # And every list of them parses too.
    assert len(apps.list_namespaced_daemon_set(namespace).items) == 1
    assert len(apps.list_namespaced_stateful_set(namespace).items) == 1


def test_error_status_bodies_are_upstreams_bytes(api, namespace):
    status, body = raw(api, "GET", f"/api/v1/namespaces/{namespace}/configmaps/none")
    assert status == 404
    assert body == (b'{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
                    b'"message":"configmaps \\"none\\" not found","reason":"NotFound",'
                    b'"details":{"name":"none","kind":"configmaps"},"code":404}\n')
    status, body = raw(api, "GET", f"/apis/apps/v1/namespaces/{namespace}/deployments/none")
    assert json.loads(body)["details"] == {"name": "none", "group": "apps", "kind": "deployments"}


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_writes_to_a_resource_the_server_does_not_serve_are_404(api, namespace, method):
    path = f"/api/v1/namespaces/{namespace}/widgets" + ("" if method == "POST" else "/w")
    headers = {"Content-Type": "application/merge-patch+json"} if method == "PATCH" else None
    status, body = raw(api, method, path, {"apiVersion": "v1", "kind": "Widget", "metadata": {"name": "w"}}, headers)
    assert status == 404, body
    doc = json.loads(body)
    assert doc["reason"] == "NotFound" and doc["message"] == "the server could not find the requested resource"


def test_replication_controllers_run_their_pods_and_scale(api, namespace):
    core = client.CoreV1Api(api)
    rc = core.create_namespaced_replication_controller(namespace, {
        "apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "legacy"},
        "spec": {"replicas": 2, "template": {"metadata": {"labels": {"app": "legacy"}}, "spec": TEMPLATE["spec"]}}})
    assert rc.spec.selector == {"app": "legacy"} and rc.status.replicas == 0

    def pods():
        return [p for p in core.list_namespaced_pod(namespace, label_selector="app=legacy").items if not p.metadata.deletion_timestamp]
    wait_for(lambda: len(pods()) == 2, 30, "2 pods of the ReplicationController", lambda: [p.metadata.name for p in pods()])
    assert all(p.metadata.owner_references[0].kind == "ReplicationController" for p in pods())
    wait_for(lambda: core.read_namespaced_replication_controller("legacy", namespace).status.replicas == 2, 30, "status.replicas 2")
    scale = core.read_namespaced_replication_controller_scale("legacy", namespace)
    assert scale.spec.replicas == 2 and scale.status.selector == "app=legacy"
    core.patch_namespaced_replication_controller_scale("legacy", namespace, {"spec": {"replicas": 1}})
    wait_for(lambda: len(pods()) == 1, 30, "scaled to 1 pod")
    core.delete_namespaced_replication_controller("legacy", namespace)


def test_apiservices_are_stored_listed_and_validated(api):
    reg = client.ApiregistrationV1Api(api)
    svc = {"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService", "metadata": {"name": "v1beta1.metrics.example.com"},
           "spec": {"group": "metrics.example.com", "version": "v1beta1", "groupPriorityMinimum": 100, "versionPriority": 100,
                    "service": {"namespace": "kube-system", "name": "metrics"}, "insecureSkipTLSVerify": True}}
    created = reg.create_api_service(svc)
    try:
        assert created.spec.service.port == 443
        assert "v1beta1.metrics.example.com" in [a.metadata.name for a in reg.list_api_service().items]
        bad = dict(svc, metadata={"name": "wrong.name"})
        with pytest.raises(ApiException) as e:
            reg.create_api_service(bad)
        assert e.value.status == 422
        assert 'must be `spec.version+"."+spec.group`: "v1beta1.metrics.example.com"' in json.loads(e.value.body)["message"]
    finally:
        reg.delete_api_service("v1beta1.metrics.example.com")
