"""Upgrades: replacing the binary and restarting keeps pods running (their supervisors outlive
edgectl and are re-adopted), and `edgectl version` and the Node's kubelet version show the new
build; the server refuses an agent more than one minor version newer than itself. A "new build"
is the same binary under another path with EDGECTL_BUILD_VERSION. Root only (pods)."""
import json
import os
import shutil
import signal
import subprocess
import tempfile

import pytest

from conftest import EDGECTL, Kubectl, free_port, loopback_only_agent_args, loopback_only_network_args, wait_for
from local_registry import LocalRegistry
from node_cleanup import cleanup_node

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="pods need root")


@pytest.fixture(scope="module")
def registry():
    if not shutil.which("docker-registry") or not shutil.which("skopeo"):
        pytest.fail("needs docker-registry and skopeo (scripts/install-deps)")
    r = LocalRegistry(free_port()).start()
    try:
        yield r.push_recipes(names=("busybox",))
    finally:
        r.stop()


def container_pid(data_dir, uid):
    state = os.path.join(data_dir, "agent", "pods", uid, "containers", "c", "0", "state.json")
    return json.load(open(state))["pid"]


def kubelet_version(k, node):
    return json.loads(k.run("get", "node", node, "-o", "json").stdout)["status"]["nodeInfo"]["kubeletVersion"]


def test_new_binary_keeps_pods_and_reports_its_build_and_skew_is_enforced(registry):
    d = tempfile.mkdtemp(prefix="edgectl-upgrade-")
    bindir = tempfile.mkdtemp(prefix="edgectl-upgrade-bin-")
    port, agent_port = free_port(), free_port()
    old_bin = os.path.join(bindir, "edgectl")
    shutil.copy(EDGECTL, old_bin)
    args = ["server", "--data-dir", d, "--bind-address", "127.0.0.1", "--https-listen-port", str(port), "--node-name", "up-node",
            "--agent-api-port", str(agent_port), *loopback_only_network_args(d)]
    log = open(os.path.join(d, "server.log"), "ab")
    env = dict(os.environ, EDGECTL_BUILD_VERSION="0.1.0")
    server = subprocess.Popen([old_bin, *args], stdout=log, stderr=subprocess.STDOUT, env=env)
    agents = []
    try:
        k = Kubectl(os.path.join(d, "kubeconfig.yaml"))
        wait_for(lambda: os.path.exists(k.kubeconfig) and k.run("get", "node", "up-node", check=False).returncode == 0, 60, "the node")
        assert kubelet_version(k, "up-node") == "v1.37.0+edgectl-0.1.0"
        pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "keeper"},
               "spec": {"containers": [{"name": "c", "image": registry.image("busybox"), "command": ["sleep", "3600"]}]}}
        k.run("apply", "-f", "-", input=json.dumps(pod))
        running = lambda: (lambda p: p if p["status"].get("phase") == "Running" else None)(json.loads(k.run("get", "pod", "keeper", "-o", "json").stdout))
        uid = wait_for(running, 60, "keeper running")["metadata"]["uid"]
        pid = container_pid(d, uid)

        # The upgrade: stop edgectl (as systemd's KillMode=process does: only edgectl), swap the binary, start it.
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
        os.kill(pid, 0)  # the container outlived edgectl
        new_bin = old_bin + ".new"
        shutil.copy(EDGECTL, new_bin)
        os.replace(new_bin, old_bin)
        env = dict(os.environ, EDGECTL_BUILD_VERSION="0.2.0")
        assert "edgectl 0.2.0 " in subprocess.run([old_bin, "version"], capture_output=True, text=True, env=env).stdout
        server = subprocess.Popen([old_bin, *args], stdout=log, stderr=subprocess.STDOUT, env=env)
        wait_for(lambda: k.run("get", "node", "up-node", check=False).returncode == 0
                 and kubelet_version(k, "up-node") == "v1.37.0+edgectl-0.2.0", 60, "the node to report the new build")
        p = running()
        assert p and p["status"]["containerStatuses"][0]["restartCount"] == 0, "the pod kept running through the upgrade"
        assert container_pid(d, uid) == pid
        os.kill(pid, 0)

        # Skew: agents one minor newer are accepted, two minors newer refused with the reason.
        for name, version, accepted in [("newer-ok", "0.3.0", True), ("too-new", "0.4.0", False)]:
            line = subprocess.run(
                [old_bin, "token", "create", "--kubeconfig", k.kubeconfig], capture_output=True, text=True, env=env, check=True).stdout.split()
            ad = os.path.join(d, "agents", name)
            os.makedirs(ad)
            alog = os.path.join(ad, "agent.log")
            agents.append((subprocess.Popen([old_bin, "join", line[2], "--token", line[4], "--ca-cert-hash", line[6], "--data-dir", ad,
                                             "--node-name", name, "--agent-api-port", str(free_port()), "--ignore-preflight-errors=all",
                                             *loopback_only_agent_args(ad)],
                                            stdout=open(alog, "w"), stderr=subprocess.STDOUT,
                                            env=dict(os.environ, EDGECTL_BUILD_VERSION=version)), ad))
            if accepted:
                wait_for(lambda: k.run("get", "node", name, check=False).returncode == 0, 60, f"{name} registered")
                assert kubelet_version(k, name) == f"v1.37.0+edgectl-{version}"
            else:
                wait_for(lambda: "more than one minor version newer" in open(alog).read(), 60, "the refusal in the agent's log",
                         show=lambda: open(alog).read()[-2000:])
                assert "upgrade the servers first" in open(alog).read()
                assert k.run("get", "node", name, check=False).returncode != 0
    finally:
        for a, ad in agents:
            a.terminate()
            a.wait(timeout=20)
            cleanup_node(ad)
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        cleanup_node(d)
        shutil.rmtree(d, ignore_errors=True)
        shutil.rmtree(bindir, ignore_errors=True)
