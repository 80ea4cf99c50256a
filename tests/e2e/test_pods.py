"""Pods really run: edgectl server with its local agent, images pulled from a
registry on loopback, driven by kubectl v1.37. Root only (namespaces, mounts, cgroups)."""
import json
import os
import pty
import select
import shutil
import subprocess
import tempfile
import time

import pytest

from conftest import Kubectl, Server, free_port, wait_for
from agent_node import agent_node
from local_registry import serving_images
from node_cleanup import cleanup_node

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("docker-registry") or not shutil.which("skopeo"),
                                reason="pods need root, docker-registry and skopeo")


@pytest.fixture(scope="module")
def registry():
    with serving_images() as r:
        yield r


@pytest.fixture(scope="module")
def node(registry):
    with agent_node("edgectl-pods-", "e2e-node") as n:
        yield n


def pod(k, name, ns="default"):
    r = k.run("get", "pod", name, "-n", ns, "-o", "json", check=False)
    return json.loads(r.stdout) if r.returncode == 0 else None


def in_phase(s, k, name, phase, timeout=30):
    """The pod once it reaches `phase`; on a timeout the failure shows its status and the node's log."""
    def seen():
        got = pod(k, name)
        return f"status {json.dumps((got or {}).get('status'))}\nserver log:\n" + open(s.log_path, errors="replace").read()[-4000:]
    return wait_for(lambda: (lambda p: p if p and p["status"].get("phase") == phase else None)(pod(k, name)), timeout, phase, show=seen)


def container_status(p, i=0):
    return ((p or {}).get("status", {}).get("containerStatuses") or [{}])[i]


def apply(k, manifest):
    k.run("apply", "-f", "-", input=json.dumps(manifest))


def busybox_pod(registry, name, command, **spec):
    container = {"name": "main", "image": registry.image("busybox"), "command": ["sh", "-c", command]}
    container.update(spec.pop("container", {}))
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"terminationGracePeriodSeconds": 2, "containers": [container], **spec}}


def test_busybox_pod_runs(node, registry):
    s, k = node
    apply(k, busybox_pod(registry, "sleeper", "echo started; exec sleep 3600"))
    p = in_phase(s, k, "sleeper", "Running")
    cs = container_status(p)
    assert cs["ready"] and cs["restartCount"] == 0 and "running" in cs["state"]
    assert cs["imageID"].startswith(registry.host + "/busybox@sha256:")
    assert p["status"]["qosClass"] == "BestEffort" and p["status"]["hostIP"]
    conds = {c["type"]: c["status"] for c in p["status"]["conditions"]}
    assert conds["Ready"] == "True" and conds["Initialized"] == "True" and conds["ContainersReady"] == "True"
    out = k.run("get", "pod", "sleeper").stdout
    assert "1/1" in out and "Running" in out
    events = k.run("get", "events", "--field-selector", "involvedObject.name=sleeper").stdout
    assert "Pulled" in events and "Started" in events


def test_logs_follow_tail_previous_and_timestamps(node, registry):
    s, k = node
    apply(k, busybox_pod(registry, "ticker", "echo first; i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.3; done"))
    wait_for(lambda: "tick 2" in k.run("logs", "ticker", check=False).stdout, 30, "ticker output")
    out = k.run("logs", "ticker").stdout.splitlines()
    assert out[0] == "first" and out[1] == "tick 0"
    assert len(k.run("logs", "ticker", "--tail=2").stdout.splitlines()) == 2
    stamped = k.run("logs", "ticker", "--timestamps", "--tail=1").stdout.strip()
    assert stamped.split(" ", 1)[0].endswith("Z") and stamped.split(" ", 1)[1].startswith("tick ")
    # -f keeps streaming new lines until stopped.
    proc = subprocess.Popen([*kubectl_argv(k), "logs", "-f", "ticker", "-c", "main"], stdout=subprocess.PIPE, text=True)
    try:
        lines = [proc.stdout.readline() for _ in range(8)]
        assert lines[0] == "first\n" and lines[-1].startswith("tick")
    finally:
        proc.kill()
        proc.wait()
    apply(k, busybox_pod(registry, "dier", "echo run $(cat /proc/uptime | cut -d. -f1); exit 1"))
    wait_for(lambda: container_status(pod(k, "dier")).get("restartCount", 0) >= 1, 30, "a restart")
    prev = k.run("logs", "dier", "--previous").stdout
    assert prev.startswith("run "), prev
    r = k.run("logs", "nope-pod", check=False)
    assert r.returncode != 0 and "not found" in r.stderr


def kubectl_argv(k):
    from conftest import KUBECTL
    return [KUBECTL, "--kubeconfig", k.kubeconfig]


def test_exec_command_and_interactive_shell(node, registry):
    s, k = node
    apply(k, busybox_pod(registry, "shell", "exec sleep 3600"))
    wait_for(lambda: container_status(pod(k, "shell")).get("ready"), 30, "ready")
    out = k.run("exec", "shell", "--", "sh", "-c", "hostname; cat /proc/1/cmdline | tr '\\0' ' '; echo; id -u").stdout.split("\n")
    assert out[0] == "shell" and out[1].startswith("sleep 3600") and out[2] == "0"
    r = k.run("exec", "shell", "--", "sh", "-c", "exit 7", check=False)
    assert r.returncode == 7
    # An interactive shell through a pty, as `kubectl exec -it` from a terminal.
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(kubectl_argv(k)[0], kubectl_argv(k) + ["exec", "-it", "shell", "--", "sh"])
    try:
        os.write(fd, b"tty; echo marker-$((6*7))\n")
        buf = b""
        deadline = time.time() + 20
        while time.time() < deadline and b"marker-42" not in buf:
            if select.select([fd], [], [], 0.5)[0]:
                try:
                    buf += os.read(fd, 4096)
                except OSError:
                    break
        assert b"marker-42" in buf and b"/dev/pts/" in buf, buf
        os.write(fd, b"exit\n")
    finally:
        try:
            os.kill(pid, 9)
        except OSError:
            pass
        os.waitpid(pid, 0)


def test_config_map_secret_volumes_and_env(node, registry):
    s, k = node
    k.run("create", "configmap", "app-cfg", "--from-literal=greeting=hello-cm", "--from-literal=app.conf=port=8080")
    k.run("create", "secret", "generic", "app-sec", "--from-literal=password=s3cret")
    script = ('echo "env=$GREETING/$PASS/$NODE/$MEM" > /dev/termination-log; (cat /etc/cfg/app.conf; echo; cat /etc/sec/password; echo) >> /dev/termination-log;'
              ' ls /etc/cfg >> /dev/termination-log; touch /etc/cfg/x 2>/dev/null || echo ro >> /dev/termination-log')
    apply(k, busybox_pod(registry, "vols", script, restartPolicy="Never", volumes=[
        {"name": "c", "configMap": {"name": "app-cfg"}}, {"name": "s", "secret": {"secretName": "app-sec"}}],
        container={"env": [{"name": "GREETING", "valueFrom": {"configMapKeyRef": {"name": "app-cfg", "key": "greeting"}}},
                           {"name": "PASS", "valueFrom": {"secretKeyRef": {"name": "app-sec", "key": "password"}}},
                           {"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
                           {"name": "MEM", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory", "divisor": "1Mi"}}}],
                   "resources": {"limits": {"memory": "64Mi"}},
                   "volumeMounts": [{"name": "c", "mountPath": "/etc/cfg"}, {"name": "s", "mountPath": "/etc/sec"}]}))
    p = in_phase(s, k, "vols", "Succeeded")
    msg = container_status(p)["state"]["terminated"]["message"]
    assert msg.splitlines() == ["env=hello-cm/s3cret/e2e-node/64", "port=8080", "s3cret", "app.conf", "greeting", "ro"], msg
    assert container_status(p)["state"]["terminated"]["reason"] == "Completed"


def test_missing_config_map_is_a_config_error(node, registry):
    s, k = node
    apply(k, busybox_pod(registry, "nocfg", "true", container={
        "env": [{"name": "X", "valueFrom": {"configMapKeyRef": {"name": "absent", "key": "k"}}}]}))
    p = wait_for(lambda: (lambda p: p if "waiting" in container_status(p).get("state", {}) else None)(pod(k, "nocfg")), 30, "waiting")
    w = container_status(p)["state"]["waiting"]
    assert w["reason"] == "CreateContainerConfigError" and 'configmap "absent" not found' in w["message"]


def test_init_containers_run_in_order(node, registry):
    s, k = node
    init = [{"name": f"init{i}", "image": registry.image("busybox"), "command": ["sh", "-c", f"echo init{i} >> /work/order"],
             "volumeMounts": [{"name": "w", "mountPath": "/work"}]} for i in (1, 2)]
    apply(k, busybox_pod(registry, "inits", "cat /work/order > /dev/termination-log", restartPolicy="Never", initContainers=init,
                         volumes=[{"name": "w", "emptyDir": {}}], container={"volumeMounts": [{"name": "w", "mountPath": "/work"}]}))
    p = in_phase(s, k, "inits", "Succeeded")
    assert container_status(p)["state"]["terminated"]["message"] == "init1\ninit2\n"
    assert [c["state"]["terminated"]["reason"] for c in p["status"]["initContainerStatuses"]] == ["Completed", "Completed"]


def test_crash_loop_backoff_grows(node, registry):
    s, k = node
    apply(k, busybox_pod(registry, "crasher", "echo dying; exit 3"))
    seen = set()
    deadline = time.time() + 60
    while time.time() < deadline and "back-off 20s" not in " ".join(seen):
        cs = container_status(pod(k, "crasher"))
        w = cs.get("state", {}).get("waiting", {})
        if w.get("reason") == "CrashLoopBackOff":
            seen.add(w["message"].split(" restarting")[0])
            assert cs["lastState"]["terminated"]["exitCode"] == 3
        time.sleep(0.3)
    assert {"back-off 10s", "back-off 20s"} <= seen, seen
    assert container_status(pod(k, "crasher"))["restartCount"] >= 2
    assert "CrashLoopBackOff" in k.run("get", "pod", "crasher").stdout or "Error" in k.run("get", "pod", "crasher").stdout


def test_memory_limit_oom_killed(node, registry):
    s, k = node
    apply(k, busybox_pod(registry, "hog", "x=aaaaaaaaaaaaaaaa; while true; do x=$x$x; done", restartPolicy="Never",
                         container={"resources": {"limits": {"memory": "32Mi"}}}))
    p = in_phase(s, k, "hog", "Failed", 60)
    t = container_status(p)["state"]["terminated"]
    assert t["reason"] == "OOMKilled" and t["exitCode"] == 137
    assert "OOMKilled" in k.run("get", "pod", "hog").stdout


def test_deployment_ready_through_readiness_probe(node, registry):
    s, k = node
    def deployment(name, path):
        return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
                "spec": {"replicas": 3, "selector": {"matchLabels": {"app": name}},
                         "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{
                             "name": "httpd", "image": registry.image("busybox-httpd"), "ports": [{"name": "http", "containerPort": 8080}],
                             "readinessProbe": {"httpGet": {"path": path, "port": "http"}, "periodSeconds": 1}}]}}}}
    apply(k, deployment("web", "/"))
    apply(k, deployment("web-broken", "/missing"))
    k.run("rollout", "status", "deployment/web", "--timeout=60s", timeout=70)
    d = k.json("get", "deployment", "web")
    assert d["status"]["readyReplicas"] == 3
    # The twin started at the same time but on a loaded machine may still be starting its containers.
    running = lambda items: len(items) == 3 and all(container_status(p).get("state", {}).get("running") for p in items)
    wait_for(lambda: running(k.json("get", "pods", "-l", "app=web-broken")["items"]), 30, "web-broken's containers running")
    time.sleep(3)  # three probe periods: a readiness that could pass would have by now
    broken = k.json("get", "pods", "-l", "app=web-broken")["items"]
    assert running(broken) and not any(container_status(p)["ready"] for p in broken)
    wait_for(lambda: "Readiness probe failed: HTTP probe failed with statuscode: 404" in
             k.run("get", "events", "--field-selector", "reason=Unhealthy").stdout, 15, "the Unhealthy event")


def test_liveness_failure_restarts(node, registry):
    s, k = node
    apply(k, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "unlive"}, "spec": {"terminationGracePeriodSeconds": 1, "containers": [{
        "name": "httpd", "image": registry.image("busybox-httpd"),
        "livenessProbe": {"httpGet": {"path": "/missing", "port": 8080}, "periodSeconds": 1, "failureThreshold": 2}}]}})
    wait_for(lambda: container_status(pod(k, "unlive")).get("restartCount", 0) >= 1, 45, "a liveness restart")


def test_delete_respects_grace_period(node, registry):
    s, k = node
    # sh as pid 1 ignores SIGTERM without a trap: the pod goes when the grace period ends.
    apply(k, busybox_pod(registry, "slow-stop", "while true; do sleep 1; done", terminationGracePeriodSeconds=4))
    apply(k, busybox_pod(registry, "quick-stop", "trap 'exit 0' TERM; while true; do sleep 0.2; done", terminationGracePeriodSeconds=30))
    for n in ("slow-stop", "quick-stop"):
        wait_for(lambda: container_status(pod(k, n)).get("state", {}).get("running"), 30, n + " running")
    t0 = time.time()
    k.run("delete", "pod", "slow-stop", timeout=60)
    slow = time.time() - t0
    t0 = time.time()
    k.run("delete", "pod", "quick-stop", timeout=60)
    quick = time.time() - t0
    assert 3.5 <= slow < 12, slow
    assert quick < 3, quick


def test_containers_survive_agent_kill_and_are_readopted(registry):
    d = tempfile.mkdtemp(prefix="edgectl-adopt-")
    s = Server(d, free_port(), extra_args=["--node-name", "adopt-node", "--agent-api-port", str(free_port())], agent=True)
    try:
        s.start()
        k = Kubectl(s.kubeconfig)
        apply(k, busybox_pod(registry, "survivor", "exec sleep 3600"))
        p = wait_for(lambda: (lambda p: p if container_status(p).get("state", {}).get("running") else None)(pod(k, "survivor")), 40, "running")
        started = container_status(p)["state"]["running"]["startedAt"]
        state = json.load(open(next(os.path.join(r, f) for r, _, fs in os.walk(d) for f in fs if f == "state.json")))
        s.kill9()
        time.sleep(1)
        os.kill(state["pid"], 0)  # the container outlived its agent
        s.start()
        time.sleep(3)
        p = wait_for(lambda: (lambda p: p if container_status(p).get("ready") else None)(pod(k, "survivor")), 30, "re-adopted")
        cs = container_status(p)
        assert cs["restartCount"] == 0 and cs["state"]["running"]["startedAt"] == started
        os.kill(state["pid"], 0)
    finally:
        s.stop()
        cleanup_node(d)
        shutil.rmtree(d, ignore_errors=True)
