"""A mixed-architecture lab (scripts/lab with a binary per node): an x86_64 server and
node, an aarch64 agent and an armv7 agent, both under qemu-user in their own node
namespaces. They join with tokens, report Ready with the right kubernetes.io/arch
labels and renew their leases; the scheduler learns what the multi-arch images offer
from the nodes and keeps pods off nodes their image has no variant for.
Root only (network namespaces); needs the board binaries (scripts/cross-build all)."""
import json
import os
import shutil
import subprocess
import tempfile

import pytest

from boards import command
from conftest import wait_for
from lab import Lab, unavailable

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# node -> (kubernetes.io/arch, edgectl.io/arch-variant, images/build architecture, how it runs)
NODES = {
    "node1": ("amd64", None, "amd64", None),
    "node2": ("arm64", None, "arm64", "arm64"),
    "node3": ("arm", "v7", "armv7", "armv7"),
}


@pytest.fixture(scope="module")
def images():
    d = tempfile.mkdtemp(prefix="edgectl-multiarch-images-")
    r = subprocess.run([os.path.join(ROOT, "images", "build"), "--arch", "all", d], capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout + r.stderr
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def lab():
    assert unavailable() is None, unavailable()
    boards = {board: command(board) for board in ("arm64", "armv7")}  # fails when the binaries are missing
    d = tempfile.mkdtemp(prefix="edgelab-multiarch-")
    lab = Lab(f"edgelab-m{os.getpid()}", os.path.join(d, "lab"))
    try:
        lab.up(nodes=3)
        for node, (_, _, _, board) in NODES.items():
            extra = ["--bin", " ".join(boards[board])] if board else []
            r = lab.script("join", node, *extra, timeout=300)
            assert f"{node} joined and is Ready" in r.stdout, r.stdout + r.stderr
        yield lab
    finally:
        lab.tear_down(d)


def node_binary(node):
    board = NODES[node][3]
    return command(board) if board else [os.path.abspath(os.environ.get("EDGECTL_BIN", os.path.join(ROOT, ".build", "edgectl")))]


def node_json(lab, node):
    return json.loads(lab.kubectl("get", "node", node, "-o", "json").stdout)


def renew_time(lab, node):
    lease = json.loads(lab.kubectl("get", "lease", "-n", "kube-node-lease", node, "-o", "json").stdout)
    return lease["spec"]["renewTime"]


def test_nodes_of_three_architectures_join_ready_with_their_labels_and_renew_leases(lab):
    first = {}
    for node, (arch, variant, _, _) in NODES.items():
        n = node_json(lab, node)
        labels = n["metadata"]["labels"]
        assert labels["kubernetes.io/arch"] == arch, labels
        assert labels.get("edgectl.io/arch-variant") == variant, labels
        assert n["status"]["nodeInfo"]["architecture"] == arch
        assert any(c["type"] == "Ready" and c["status"] == "True" for c in n["status"]["conditions"]), n["status"]["conditions"]
        first[node] = renew_time(lab, node)
    # Leases are renewed every 10 s, the emulated agents' too.
    wait_for(lambda: all(renew_time(lab, n) != first[n] for n in NODES), 60, "every node renewing its lease",
             show=lambda: {n: renew_time(lab, n) for n in NODES})


def import_image(lab, node, layout, name=None):
    """`edgectl images import` with the node's own binary in its namespace (under qemu-user
    for the boards: it picks the index entry for the platform it runs as)."""
    argv = node_binary(node) + ["images", "import", "--data-dir", os.path.join(lab.dir, node), layout]
    if name:
        argv += ["--name", name]
    r = lab.run(node, *argv, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def published(lab, node):
    annotations = node_json(lab, node)["metadata"].get("annotations") or {}
    return json.loads(annotations.get("edgectl.io/image-platforms", "{}"))


def test_each_node_imports_its_own_platform_from_the_multi_arch_index_and_publishes_all(lab, images):
    for node in NODES:
        out = import_image(lab, node, os.path.join(images, "multiarch", "busybox"))
        assert "localhost/busybox:latest" in out, out
    want = ["linux/amd64", "linux/arm64/v8", "linux/arm/v7"]
    for node in NODES:
        wait_for(lambda: published(lab, node).get("localhost/busybox:latest") == want, 60,
                 f"{node} publishing the index's three platforms", show=lambda: published(lab, node))
    # The stored image is the node's own: its config names the node's architecture.
    for node, (arch, _, _, _) in NODES.items():
        r = lab.run(node, *node_binary(node), "images", "list", "--data-dir", os.path.join(lab.dir, node), timeout=120)
        assert "localhost/busybox" in r.stdout, r.stdout + r.stderr


TOLERATE_NO_RUNTIME = {"tolerations": [{"key": "edgectl.io/runtime-unavailable", "operator": "Exists"}]}


def binfmt_runs(board):
    """Whether this machine's kernel runs the board's binaries itself (a binfmt_misc
    handler for qemu), which decides how far an emulated agent gets with containers."""
    name = {"arm64": "qemu-aarch64", "armv7": "qemu-arm"}[board]
    try:
        return open(f"/proc/sys/fs/binfmt_misc/{name}").readline().strip() == "enabled"
    except OSError:
        return False


def test_the_emulated_nodes_say_exactly_why_they_run_no_pods(lab):
    """qemu-user emulates a process, not a machine. An agent starts every container by
    executing its own binary as the supervisor: without a binfmt_misc handler the kernel
    cannot run an ARM binary ("Exec format error"), so the agent says so at start, taints
    its node and takes no pods; with one, the supervisor runs but qemu-user refuses clone()
    with namespace flags (EINVAL), which is how every container starts."""
    for node in ("node2", "node3"):
        board = NODES[node][3]
        log = open(os.path.join(lab.dir, f"{node}.log")).read()
        taints = node_json(lab, node)["spec"].get("taints") or []
        if not binfmt_runs(board):
            assert "this node cannot start containers (executing " in log and "failed: Exec format error)" in log, log
            assert {"key": "edgectl.io/runtime-unavailable", "effect": "NoSchedule"} in taints, taints
        else:
            assert taints == [], taints
            name = f"on-{node}"
            apply(lab, pod(name, "localhost/busybox:latest", {"nodeSelector": {"kubernetes.io/hostname": node}}))
            wait_for(lambda: "Invalid argument" in json.dumps(get_pod(lab, name)["status"].get("containerStatuses", [])), 120,
                     f"{name} failing to start with EINVAL from clone", show=lambda: get_pod(lab, name)["status"])
            lab.kubectl("delete", "pod", name, "--wait=false")


def pod(name, image, extra_spec=None):
    spec = {"terminationGracePeriodSeconds": 1,
            "containers": [{"name": "main", "image": image, "imagePullPolicy": "Never", "command": ["sleep", "3600"]}]}
    spec.update(extra_spec or {})
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec}


def apply(lab, obj):
    path = os.path.join(lab.dir, obj["metadata"]["name"] + ".json")
    json.dump(obj, open(path, "w"))
    lab.kubectl("apply", "-f", path)


def get_pod(lab, name):
    return json.loads(lab.kubectl("get", "pod", name, "-o", "json").stdout)


def scheduled(lab, names, timeout=90):
    return wait_for(lambda: (lambda ps: ps if all(ps.values()) else None)({n: get_pod(lab, n)["spec"].get("nodeName") for n in names}),
                    timeout, f"{len(names)} pods scheduled")


def replica_nodes(lab, app, replicas, image):
    """A ReplicaSet of `replicas` pods that tolerate the emulated nodes' taint: spreading
    would put one on each node. Returns where its pods were placed."""
    rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": app},
          "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": app}},
                   "template": {"metadata": {"labels": {"app": app}}, "spec": pod(app, image, TOLERATE_NO_RUNTIME)["spec"]}}}
    apply(lab, rs)

    def placed():
        items = json.loads(lab.kubectl("get", "pods", "-l", f"app={app}", "-o", "json").stdout)["items"]
        nodes = [p["spec"].get("nodeName") for p in items]
        return nodes if len(nodes) == replicas and all(nodes) else None
    nodes = wait_for(placed, 90, f"{replicas} pods of {app} scheduled")
    lab.kubectl("delete", "replicaset", app, "--wait=false")
    return sorted(nodes)


def test_pods_with_an_amd64_only_image_never_land_on_the_arm_nodes(lab, images):
    # Control: with the multi-arch image, spreading puts one replica on each node.
    assert replica_nodes(lab, "multi", 3, "localhost/busybox:latest") == ["node1", "node2", "node3"]

    import_image(lab, "node1", os.path.join(images, "amd64", "busybox"), name="localhost/only-amd64:latest")
    wait_for(lambda: published(lab, "node1").get("localhost/only-amd64:latest") == ["linux/amd64"], 60,
             "node1 publishing the amd64-only image", show=lambda: published(lab, "node1"))
    assert replica_nodes(lab, "amd64-only", 3, "localhost/only-amd64:latest") == ["node1", "node1", "node1"]


def test_a_pod_with_an_arm64_only_image_goes_to_the_arm64_node_or_stays_pending_naming_what_is_missing(lab, images):
    import_image(lab, "node2", os.path.join(images, "arm64", "busybox"), name="localhost/only-arm64:latest")
    wait_for(lambda: published(lab, "node2").get("localhost/only-arm64:latest") == ["linux/arm64/v8"], 60,
             "node2 publishing the arm64-only image", show=lambda: published(lab, "node2"))
    # Where the arm64 node takes pods (here: when it is not tainted, or the pod tolerates it), there it goes.
    apply(lab, pod("arm64-only-tolerant", "localhost/only-arm64:latest", TOLERATE_NO_RUNTIME))
    assert scheduled(lab, ["arm64-only-tolerant"]) == {"arm64-only-tolerant": "node2"}
    lab.kubectl("delete", "pod", "arm64-only", "arm64-only-tolerant", "--wait=false", "--ignore-not-found")
    # With the arm64 node cordoned the pod fits nowhere: it stays Pending, and the reason names
    # the platform each other node lacks. (Filters run in upstream's order, so a node is
    # reported for the first one it fails: unschedulable, then taints, then the platform;
    # the pod tolerates the emulated nodes' runtime taint so their platform is what counts.)
    lab.kubectl("cordon", "node2")
    try:
        apply(lab, pod("arm64-only", "localhost/only-arm64:latest", TOLERATE_NO_RUNTIME))

        def unschedulable():
            p = get_pod(lab, "arm64-only")
            assert not p["spec"].get("nodeName"), p["spec"]
            return next((c["message"] for c in p["status"].get("conditions", []) if c["type"] == "PodScheduled" and c["status"] == "False"), None)
        message = wait_for(unschedulable, 60, "the pod marked Unschedulable")
        assert message.startswith("0/3 nodes are available: "), message
        assert "1 node(s) had no image for linux/amd64 (localhost/only-arm64:latest offers linux/arm64/v8)" in message, message
        assert "1 node(s) had no image for linux/arm/v7 (localhost/only-arm64:latest offers linux/arm64/v8)" in message, message
        assert "1 node(s) were unschedulable" in message, message
        events = lab.kubectl("get", "events", "--field-selector", "involvedObject.name=arm64-only,reason=FailedScheduling").stdout
        assert "had no image for linux/amd64" in events, events
    finally:
        lab.kubectl("delete", "pod", "arm64-only", "--wait=false", "--ignore-not-found")
        lab.kubectl("uncordon", "node2")
