"""A node on a (fake) Raspberry Pi 4: the agent reads its board, temperature, firmware flags and
memory from a fake /proc and /sys (EDGECTL_HOST_ROOT), labels its Node, reports board health as
conditions (with the figures in `kubectl describe node`) that taint it NoSchedule, evicts pods under
memory pressure in kubelet's order, and rotates container logs. Root only (pods)."""
import json
import os
import shutil
import subprocess
import tempfile
import time

import pytest

from conftest import Kubectl, Server, free_port, wait_for
from local_registry import serving_images
from node_cleanup import cleanup_node

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="pods need root")
NODE = "fake-pi"


class FakeRoot:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="edgectl-fakepi-")
        self.write("proc/device-tree/model", "Raspberry Pi 4 Model B Rev 1.4\0")
        self.write("sys/class/thermal/thermal_zone0/type", "cpu-thermal\n")
        self.temperature(45000)
        self.write("sys/devices/platform/soc/soc:firmware/get_throttled", "0\n")
        self.memory_available(None)

    def write(self, rel, text):
        p = os.path.join(self.dir, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p + ".tmp", "w") as f:
            f.write(text)
        os.replace(p + ".tmp", p)

    def temperature(self, milli):
        self.write("sys/class/thermal/thermal_zone0/temp", f"{milli}\n")

    def memory_available(self, kib):
        """The machine's /proc/meminfo, with MemAvailable replaced when `kib` is given."""
        lines = open("/proc/meminfo").read().splitlines()
        if kib is not None:
            lines = [f"MemAvailable:   {kib} kB" if l.startswith("MemAvailable:") else l for l in lines]
        self.write("proc/meminfo", "\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def registry():
    if not shutil.which("docker-registry") or not shutil.which("skopeo"):
        pytest.fail("these tests need docker-registry and skopeo (scripts/install-deps)")
    with serving_images(names=("busybox",)) as r:
        yield r


@pytest.fixture(scope="module")
def node(registry):
    fake = FakeRoot()
    d = tempfile.mkdtemp(prefix="edgectl-boardnode-")
    old = os.environ.get("EDGECTL_HOST_ROOT")
    os.environ["EDGECTL_HOST_ROOT"] = fake.dir
    s = Server(d, free_port(), extra_args=["--node-name", NODE, "--agent-api-port", str(free_port()), "--ignore-preflight-errors=all",
                                           "--container-log-max-size", "16Ki", "--container-log-max-files", "3"], agent=True)
    try:
        s.start()
        k = Kubectl(s.kubeconfig)
        wait_for(lambda: k.run("get", "node", NODE, check=False).returncode == 0, 30, "the node")
        yield s, k, fake, d
    finally:
        if old is None:
            os.environ.pop("EDGECTL_HOST_ROOT", None)
        else:
            os.environ["EDGECTL_HOST_ROOT"] = old
        s.stop()
        cleanup_node(d)
        shutil.rmtree(d, ignore_errors=True)
        shutil.rmtree(fake.dir, ignore_errors=True)


def node_json(k):
    return json.loads(k.run("get", "node", NODE, "-o", "json").stdout)


def condition(k, kind):
    return next((c for c in node_json(k)["status"].get("conditions", []) if c["type"] == kind), None)


def taints(k):
    return sorted(f"{t['key']}:{t['effect']}" for t in node_json(k)["spec"].get("taints", []))


def test_board_labels_and_health_conditions_taint_the_node(node):
    s, k, fake, _ = node
    labels = node_json(k)["metadata"]["labels"]
    assert labels["edgectl.io/board"] == "rpi4" and labels["node.kubernetes.io/instance-type"] == "rpi4"
    assert labels["kubernetes.io/os"] == "linux" and labels["kubernetes.io/arch"]
    wait_for(lambda: condition(k, "ThermalPressure"), 30, "board conditions")
    c = condition(k, "ThermalPressure")
    assert c["status"] == "False" and c["reason"] == "SoCTemperatureNormal" and c["message"] == "SoC temperature 45.0 °C in cpu-thermal, limit 80 °C"
    assert condition(k, "UnderVoltage")["status"] == "False" and condition(k, "SoCThrottled")["reason"] == "SoCNotThrottled"

    fake.temperature(83500)
    fake.write("sys/devices/platform/soc/soc:firmware/get_throttled", "50005\n")
    wait_for(lambda: (condition(k, "ThermalPressure") or {}).get("status") == "True"
             and (condition(k, "UnderVoltage") or {}).get("status") == "True", 40, "hot and under-voltage",
             show=lambda: node_json(k)["status"]["conditions"])
    assert condition(k, "ThermalPressure")["reason"] == "SoCTemperatureHigh"
    assert condition(k, "UnderVoltage")["reason"] == "UnderVoltageDetected"
    assert condition(k, "SoCThrottled")["status"] == "True"
    wait_for(lambda: {"edgectl.io/thermal-pressure:NoSchedule", "edgectl.io/under-voltage:NoSchedule"} <= set(taints(k)), 30,
             "the NoSchedule taints", show=lambda: taints(k))
    described = k.run("describe", "node", NODE).stdout
    assert "SoC temperature 83.5 °C in cpu-thermal is at or above the limit of 80 °C" in described, described
    assert "edgectl.io/thermal-pressure:NoSchedule" in described and "get_throttled 0x50005" in described

    fake.temperature(50000)
    fake.write("sys/devices/platform/soc/soc:firmware/get_throttled", "50000\n")
    wait_for(lambda: not [t for t in taints(k) if t.startswith("edgectl.io/")], 40, "the taints to go", show=lambda: taints(k))
    assert condition(k, "UnderVoltage")["reason"] == "PowerSupplySufficient"
    assert "under-voltage has occurred since boot" in condition(k, "UnderVoltage")["message"]


def pod_manifest(registry, name, command, resources=None, memory_volume=False):
    c = {"name": "c", "image": registry.image("busybox"), "command": ["sh", "-c", command]}
    spec = {"terminationGracePeriodSeconds": 1, "containers": [c], "restartPolicy": "Never"}
    if resources:
        c["resources"] = resources
    if memory_volume:
        c["volumeMounts"] = [{"name": "m", "mountPath": "/m"}]
        spec["volumes"] = [{"name": "m", "emptyDir": {"medium": "Memory"}}]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec}


def phase(k, name):
    r = k.run("get", "pod", name, "-o", "json", check=False)
    return json.loads(r.stdout)["status"] if r.returncode == 0 else {}


def test_container_logs_rotate_and_follow_crosses_rotations(node, registry):
    s, k, fake, d = node
    pad = "x" * 180
    k.run("apply", "-f", "-", input=json.dumps(pod_manifest(registry, "chatty",
          f"i=0; while [ $i -lt 100000 ]; do i=$((i+1)); echo \"tick $i {pad}\"; [ $((i % 20)) = 0 ] && sleep 0.05; done; sleep 3600")))
    wait_for(lambda: phase(k, "chatty").get("phase") == "Running", 60, "chatty running")
    proc = subprocess.Popen(["timeout", "6", *k_args(k), "logs", "-f", "chatty", "--tail=1"], stdout=subprocess.PIPE, text=True)
    text, _ = proc.communicate()
    ticks = [int(l.split()[1]) for l in text.splitlines() if l.startswith("tick ")]
    assert len(ticks) > 300, f"followed {len(ticks)} lines"
    assert ticks == list(range(ticks[0], ticks[0] + len(ticks))), "no line lost or repeated across rotations"
    uid = json.loads(k.run("get", "pod", "chatty", "-o", "json").stdout)["metadata"]["uid"]
    logs = os.path.join(d, "agent", "pods", uid, "logs", "c")
    files = sorted(os.listdir(logs))
    assert files == ["0.log", "0.log.1", "0.log.2"], files
    for f in files:
        assert os.path.getsize(os.path.join(logs, f)) <= 16 * 1024 + 400, (f, os.path.getsize(os.path.join(logs, f)))
    k.run("delete", "pod", "chatty", "--wait=false")


def k_args(k):
    from conftest import KUBECTL
    return [KUBECTL, "--kubeconfig", k.kubeconfig]


def test_memory_pressure_evicts_in_kubelets_order(node, registry):
    s, k, fake, _ = node
    pods = {
        "besteffort": pod_manifest(registry, "besteffort", "dd if=/dev/zero of=/m/f bs=1M count=30 2>/dev/null; sleep 3600", memory_volume=True),
        "burstable-over": pod_manifest(registry, "burstable-over", "dd if=/dev/zero of=/m/f bs=1M count=12 2>/dev/null; sleep 3600",
                                       resources={"requests": {"memory": "2Mi"}}, memory_volume=True),
        "guaranteed": pod_manifest(registry, "guaranteed", "sleep 3600",
                                   resources={"requests": {"memory": "64Mi", "cpu": "50m"}, "limits": {"memory": "64Mi", "cpu": "50m"}}),
    }
    for p in pods.values():
        k.run("apply", "-f", "-", input=json.dumps(p))
    wait_for(lambda: all(phase(k, n).get("phase") == "Running" for n in pods), 60, "three running pods")
    time.sleep(2)  # the memory volumes are written
    order = []

    def watch():
        deadline = time.time() + 90
        while time.time() < deadline and len(order) < 3:
            for n in pods:
                st = phase(k, n)
                if n not in order and st.get("phase") == "Failed" and st.get("reason") == "Evicted":
                    order.append(n)
            time.sleep(0.5)
    fake.memory_available(20 * 1024)  # 20Mi available, the Raspberry Pi 4 threshold is 100Mi
    try:
        watch()
        assert order == ["besteffort", "burstable-over", "guaranteed"], order
        st = phase(k, "besteffort")
        assert st["message"].startswith("The node was low on resource: memory. Threshold quantity: 100Mi"), st["message"]
        assert any(c["type"] == "DisruptionTarget" and c["reason"] == "TerminationByKubelet" for c in st["conditions"])
        assert condition(k, "MemoryPressure")["status"] == "True"
        wait_for(lambda: "node.kubernetes.io/memory-pressure:NoSchedule" in taints(k), 20, "the memory-pressure taint")
        events = k.run("get", "events", "--field-selector", "involvedObject.name=besteffort,reason=Evicted").stdout
        assert "Evicted" in events
    finally:
        fake.memory_available(None)
        for n in pods:
            k.run("delete", "pod", n, "--wait=false", check=False)
