"""The control loops end to end: a real `edgectl server`, simulated nodes from
`edgectl hollow-nodes` (separate processes, so one can go silent), and kubectl
v1.37 driving deployments, rollouts, DaemonSets, Jobs, CronJobs, scheduling,
node failure and cascading deletes. One cluster for the whole module: the
steps run in order and share it, like a user's session."""
import json
import os
import signal
import subprocess
import tempfile
import threading
import time

import pytest
import yaml

from conftest import EDGECTL, Kubectl, Server, free_port

NS = "hollow"


def wait_for(what, fn, timeout=60, interval=0.25):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


class Cluster:
    def __init__(self, server):
        self.server = server
        self.k = Kubectl(server.kubeconfig)
        self.procs = {}

    def nodes(self, name, count, first, *extra):
        log = open(os.path.join(self.server.data_dir, f"hollow-{name}.log"), "ab")
        self.procs[name] = subprocess.Popen(
            [EDGECTL, "hollow-nodes", "--count", str(count), "--first-index", str(first), "--kubeconfig", self.server.kubeconfig, *extra],
            stdout=log, stderr=subprocess.STDOUT)

    def get(self, *args):
        return json.loads(self.k.run("get", *args, "-o", "json").stdout)

    def pods(self, selector=None, ns=NS):
        args = ["pods", "-n", ns] + (["-l", selector] if selector else [])
        return self.get(*args)["items"]

    def apply(self, obj):
        self.k.run("apply", "-n", NS, "-f", "-", input=yaml.safe_dump_all(obj if isinstance(obj, list) else [obj]))

    def ready_nodes(self):
        out = []
        for n in self.get("nodes")["items"]:
            ready = [c for c in n["status"].get("conditions", []) if c["type"] == "Ready"]
            if ready and ready[0]["status"] == "True":
                out.append(n["metadata"]["name"])
        return sorted(out)


def ready(pod):
    return pod["metadata"].get("deletionTimestamp") is None and any(
        c["type"] == "Ready" and c["status"] == "True" for c in pod["status"].get("conditions", []))


@pytest.fixture(scope="module")
def cluster():
    with tempfile.TemporaryDirectory(prefix="edgectl-hollow-") as d:
        s = Server(d, free_port()).start()
        c = Cluster(s)
        # Two processes: hollow-node-2 can be silenced on its own.
        c.nodes("a", 2, 0)
        c.nodes("b", 1, 2)
        try:
            wait_for("3 ready nodes", lambda: c.ready_nodes() == ["hollow-node-0", "hollow-node-1", "hollow-node-2"], timeout=30)
            c.k.run("create", "namespace", NS)
            yield c
        finally:
            for p in c.procs.values():
                if p.poll() is None:
                    p.send_signal(signal.SIGTERM)
                    p.wait(timeout=10)
            s.stop()


# Pods leave an unreachable node after 5 s instead of the default 300 s.
SHORT_TOLERATION = [{"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 5},
                    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 5}]


def deployment(name, replicas, image):
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"tolerations": SHORT_TOLERATION,
                                           "containers": [{"name": "c", "image": image,
                                                           "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}}]}}}}


def test_01_cronjob_created_first(cluster):
    # Created first so its first minute has passed by the time later steps end.
    cluster.apply({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "tick"},
                   "spec": {"schedule": "* * * * *", "successfulJobsHistoryLimit": 2,
                            "jobTemplate": {"spec": {"template": {
                                "metadata": {"annotations": {"hollow.edgectl.io/exit-code": "0"}},
                                "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox:1.36"}]}}}}}})
    assert "tick" in cluster.k.run("get", "cronjobs", "-n", NS).stdout


def test_02_deployment_spreads_over_all_nodes(cluster):
    cluster.apply(deployment("web", 10, "busybox:1.36"))
    cluster.k.run("rollout", "status", "deployment/web", "-n", NS, "--timeout=60s")
    pods = [p for p in cluster.pods("app=web") if ready(p)]
    assert len(pods) == 10
    per_node = {}
    for p in pods:
        per_node[p["spec"]["nodeName"]] = per_node.get(p["spec"]["nodeName"], 0) + 1
    assert sorted(per_node) == ["hollow-node-0", "hollow-node-1", "hollow-node-2"]
    assert max(per_node.values()) - min(per_node.values()) <= 1, per_node
    events = cluster.k.run("get", "events", "-n", NS).stdout
    assert "Scheduled" in events and "ScalingReplicaSet" in events and "SuccessfulCreate" in events


class ReadyFloor:
    """Follows every pod change of an app through a watch while a rollout runs
    and remembers the fewest ready pods at any point of the event stream."""

    def __init__(self, cluster, selector):
        from kubernetes import client, config, watch
        self.api = client.CoreV1Api(config.new_client_from_config(config_file=cluster.server.kubeconfig))
        self.selector, self.watch = selector, watch.Watch()
        listed = self.api.list_namespaced_pod(NS, label_selector=selector)
        self.rv = listed.metadata.resource_version
        self.state = {p.metadata.name: self.is_ready(p) for p in listed.items}
        self.minimum, self.events, self.error, self.stopping = sum(self.state.values()), 0, None, False
        self.thread = threading.Thread(target=self.run, daemon=True)

    @staticmethod
    def is_ready(p):
        return p.metadata.deletion_timestamp is None and any(
            c.type == "Ready" and c.status == "True" for c in (p.status.conditions or []))

    def run(self):
        try:
            self.follow()
        except Exception as e:  # reported by the test, not lost in a thread
            if not self.stopping:  # stop() shuts the socket down under the reader
                self.error = e

    def follow(self):
        for ev in self.watch.stream(self.api.list_namespaced_pod, NS, label_selector=self.selector,
                                    resource_version=self.rv, timeout_seconds=120):
            p = ev["object"]
            if ev["type"] == "DELETED":
                self.state.pop(p.metadata.name, None)
            else:
                self.state[p.metadata.name] = self.is_ready(p)
            self.events += 1
            self.minimum = min(self.minimum, sum(self.state.values()))

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        time.sleep(0.5)  # let the last events arrive
        self.stopping = True
        self.watch.stop()
        self.thread.join(timeout=10)


def images(cluster, selector="app=web"):
    return sorted({p["spec"]["containers"][0]["image"] for p in cluster.pods(selector) if p["metadata"].get("deletionTimestamp") is None})


def test_03_set_image_rolls_within_max_unavailable_and_undo_restores(cluster):
    with ReadyFloor(cluster, "app=web") as floor:
        cluster.k.run("set", "image", "deployment/web", "c=busybox:1.37", "-n", NS)
        cluster.k.run("rollout", "status", "deployment/web", "-n", NS, "--timeout=90s")
    # 10 replicas, default maxUnavailable 25% -> 2: never fewer than 8 ready.
    assert floor.error is None, floor.error
    assert floor.events >= 20 and floor.minimum >= 8, (floor.minimum, floor.events)
    assert wait_for("new image everywhere", lambda: images(cluster) == ["busybox:1.37"])
    history = cluster.k.run("rollout", "history", "deployment/web", "-n", NS).stdout
    assert "1" in history and "2" in history
    cluster.k.run("rollout", "undo", "deployment/web", "-n", NS)
    cluster.k.run("rollout", "status", "deployment/web", "-n", NS, "--timeout=90s")
    assert wait_for("old image back", lambda: images(cluster) == ["busybox:1.36"])
    d = cluster.get("deployment", "web", "-n", NS)
    assert d["spec"]["template"]["spec"]["containers"][0]["image"] == "busybox:1.36"
    assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"


def test_04_pause_holds_changes_until_resume(cluster):
    cluster.k.run("rollout", "pause", "deployment/web", "-n", NS)
    cluster.k.run("set", "image", "deployment/web", "c=busybox:1.38", "-n", NS)
    time.sleep(2)
    assert images(cluster) == ["busybox:1.36"], "paused: nothing rolls"
    cluster.k.run("rollout", "resume", "deployment/web", "-n", NS)
    cluster.k.run("rollout", "status", "deployment/web", "-n", NS, "--timeout=90s")
    assert wait_for("resumed rollout done", lambda: images(cluster) == ["busybox:1.38"])


def test_05_scale_up_and_down(cluster):
    cluster.k.run("scale", "deployment/web", "--replicas=13", "-n", NS)
    cluster.k.run("rollout", "status", "deployment/web", "-n", NS, "--timeout=60s")
    assert wait_for("13 ready", lambda: sum(1 for p in cluster.pods("app=web") if ready(p)) == 13)
    cluster.k.run("scale", "deployment/web", "--replicas=9", "-n", NS)
    live = lambda: [p for p in cluster.pods("app=web") if p["metadata"].get("deletionTimestamp") is None]
    assert wait_for("9 left", lambda: len(live()) == 9)
    assert cluster.get("deployment", "web", "-n", NS)["spec"]["replicas"] == 9
    # The ReplicaSet deletes from the most crowded node first (upstream's ranking), and
    # 13 pods on 3 nodes put at least 5 on one of them: 4 deletions empty no node.
    # test_09 relies on hollow-node-2 keeping pods.
    assert sorted({p["spec"]["nodeName"] for p in live()}) == ["hollow-node-0", "hollow-node-1", "hollow-node-2"]


def daemon_nodes(cluster):
    return sorted(p["spec"].get("nodeName", "") for p in cluster.pods("app=agent") if p["metadata"].get("deletionTimestamp") is None)


def test_06_daemonset_covers_nodes_new_ones_too_but_not_tainted(cluster):
    cluster.apply({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent"},
                   "spec": {"selector": {"matchLabels": {"app": "agent"}},
                            "template": {"metadata": {"labels": {"app": "agent"}},
                                         "spec": {"containers": [{"name": "c", "image": "busybox:1.36"}]}}}})
    wait_for("one per node", lambda: daemon_nodes(cluster) == ["hollow-node-0", "hollow-node-1", "hollow-node-2"])
    cluster.nodes("c", 1, 3)
    cluster.nodes("tainted", 1, 4, "--taints", "dedicated=gpu:NoSchedule")
    wait_for("new node's pod", lambda: daemon_nodes(cluster) == ["hollow-node-0", "hollow-node-1", "hollow-node-2", "hollow-node-3"])
    assert wait_for("5 ready nodes", lambda: len(cluster.ready_nodes()) == 5)
    time.sleep(1.5)
    assert "hollow-node-4" not in daemon_nodes(cluster), "no pod on a node whose taint it does not tolerate"
    status = cluster.get("daemonset", "agent", "-n", NS)["status"]
    assert status["desiredNumberScheduled"] == 4


def job_condition(cluster, name):
    conds = cluster.get("job", name, "-n", NS).get("status", {}).get("conditions", [])
    return [c["type"] for c in conds if c["status"] == "True"]


def test_07_jobs_fail_at_backoff_limit_and_complete_in_parallel(cluster):
    template = lambda code: {"metadata": {"annotations": {"hollow.edgectl.io/exit-code": code, "hollow.edgectl.io/run-seconds": "1"}},
                             "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox:1.36"}]}}
    cluster.apply([
        {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "fails"}, "spec": {"backoffLimit": 1, "template": template("1")}},
        {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "batch"},
         "spec": {"completions": 5, "parallelism": 2, "template": template("0")}},
    ])
    most = [0]

    def batch_done():
        running = [p for p in cluster.pods("job-name=batch") if p["status"].get("phase") == "Running"]
        most[0] = max(most[0], len(running))
        return "Complete" in job_condition(cluster, "batch")
    wait_for("batch complete", batch_done, timeout=60)
    assert most[0] <= 2
    job = cluster.get("job", "batch", "-n", NS)
    assert job["status"]["succeeded"] == 5
    # One failure, a 10 s back-off, a second failure: past backoffLimit 1.
    wait_for("fails Failed", lambda: "Failed" in job_condition(cluster, "fails"), timeout=60)
    job = cluster.get("job", "fails", "-n", NS)
    assert job["status"]["failed"] == 2
    failed = [c for c in job["status"]["conditions"] if c["type"] == "Failed"][0]
    assert failed["reason"] == "BackoffLimitExceeded"
    assert "Complete" in cluster.k.run("get", "jobs", "-n", NS).stdout


def test_08_unschedulable_pod_explains_and_then_schedules(cluster):
    cluster.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "big"},
                   "spec": {"containers": [{"name": "c", "image": "busybox:1.36", "resources": {"requests": {"cpu": "12"}}}]}})

    def unschedulable():
        p = cluster.get("pod", "big", "-n", NS)
        conds = [c for c in p["status"].get("conditions", []) if c["type"] == "PodScheduled"]
        return conds and conds[0]["status"] == "False" and conds[0]["reason"] == "Unschedulable" and conds[0]
    cond = wait_for("Unschedulable", unschedulable, timeout=30)
    assert cond["message"].startswith("0/5 nodes are available:"), cond["message"]
    assert "4 Insufficient cpu" in cond["message"] and "untolerated taint" in cond["message"], cond["message"]
    events = cluster.k.run("get", "events", "-n", NS, "--field-selector", "involvedObject.name=big").stdout
    assert "FailedScheduling" in events
    cluster.nodes("big", 1, 5, "--cpu", "16")
    wait_for("big scheduled", lambda: cluster.get("pod", "big", "-n", NS)["spec"].get("nodeName") == "hollow-node-5", timeout=30)


def test_09_silent_node_goes_unknown_and_its_pods_move(cluster):
    web_before = {p["metadata"]["name"]: p["spec"]["nodeName"] for p in cluster.pods("app=web")}
    victims = [n for n, node in web_before.items() if node == "hollow-node-2"]
    assert victims, web_before
    ds_pod = [p["metadata"]["name"] for p in cluster.pods("app=agent") if p["spec"]["nodeName"] == "hollow-node-2"][0]
    cluster.procs["b"].kill()  # hollow-node-2's heartbeat stops
    started = time.time()

    def unknown():
        n = cluster.get("node", "hollow-node-2")
        ready_cond = [c for c in n["status"]["conditions"] if c["type"] == "Ready"][0]
        taints = [t["key"] for t in n["spec"].get("taints", [])]
        return ready_cond["status"] == "Unknown" and "node.kubernetes.io/unreachable" in taints
    wait_for("node Unknown", unknown, timeout=65, interval=1)
    assert time.time() - started <= 62
    assert "NotReady" in cluster.k.run("get", "node", "hollow-node-2").stdout

    def replaced():
        live = [p for p in cluster.pods("app=web") if ready(p)]
        return len(live) == 9 and all(p["spec"]["nodeName"] != "hollow-node-2" for p in live)
    wait_for("web pods replaced elsewhere", replaced, timeout=40)
    for v in victims:
        p = cluster.get("pod", v, "-n", NS)
        assert p["metadata"].get("deletionTimestamp"), f"{v} was evicted"
    ds = cluster.get("pod", ds_pod, "-n", NS)
    assert ds["metadata"].get("deletionTimestamp") is None, "the DaemonSet pod stays"


def test_10_cronjob_ran_on_schedule(cluster):
    def jobs():
        return [j for j in cluster.get("jobs", "-n", NS)["items"]
                if any(o["kind"] == "CronJob" and o["name"] == "tick" for o in j["metadata"].get("ownerReferences", []))]
    found = wait_for("a job from the cronjob", jobs, timeout=75, interval=1)
    scheduled = found[0]["metadata"]["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"]
    assert scheduled.endswith(":00Z"), "on a whole minute"
    cj = cluster.get("cronjob", "tick", "-n", NS)
    assert cj["status"].get("lastScheduleTime")


def test_11_cascading_deletes(cluster):
    cluster.apply(deployment("keep", 2, "busybox:1.36"))
    cluster.k.run("rollout", "status", "deployment/keep", "-n", NS, "--timeout=60s")
    cluster.k.run("delete", "deployment", "keep", "-n", NS, "--cascade=orphan")
    time.sleep(1)
    rs = cluster.get("replicasets", "-n", NS, "-l", "app=keep")["items"]
    assert len(rs) == 1 and not rs[0]["metadata"].get("ownerReferences"), "orphaned ReplicaSet stays, without its owner"
    keep = cluster.pods("app=keep")
    assert len(keep) == 2, [(p["metadata"]["name"], p["spec"].get("nodeName"), p["metadata"].get("deletionTimestamp"),
                             p["status"].get("phase")) for p in keep]

    # The silent node is gone for good: deleting it lets pod GC remove the pods stuck on it.
    cluster.k.run("delete", "node", "hollow-node-2")
    cluster.k.run("delete", "deployment", "web", "-n", NS, "--cascade=foreground", "--wait=true", "--timeout=120s")
    wait_for("web replicasets gone", lambda: cluster.get("replicasets", "-n", NS, "-l", "app=web")["items"] == [])
    wait_for("web pods gone or terminating",
             lambda: all(p["metadata"].get("deletionTimestamp") for p in cluster.pods("app=web")))

    cluster.k.run("delete", "namespace", NS, "--timeout=90s")
    out = cluster.k.run("get", "namespace", NS, check=False)
    assert out.returncode != 0 and "NotFound" in out.stderr
