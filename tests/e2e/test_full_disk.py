"""Issue 9 item 11 (root: a small tmpfs as the data directory, filled up by the
store itself). Creates then fail with upstream's answer to a full etcd (500, a
readable message), deletes still work and free space, an Event says the disk
is full, and the server restarts on the full disk."""
import json
import os
import shutil
import subprocess
import tempfile

import pytest
from kubernetes import client, config
from kubernetes.client.rest import ApiException

from conftest import Kubectl, Server, free_port, wait_for

BIG = "x" * 400_000


@pytest.fixture
def small_disk():
    if os.geteuid() != 0:
        pytest.fail("test_full_disk needs root to mount a small tmpfs (CI runs as root)")
    d = tempfile.mkdtemp(prefix="edgectl-full-")
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", d], check=True)
    try:
        yield d
    finally:
        subprocess.run(["umount", "-l", d], check=False)
        shutil.rmtree(d, ignore_errors=True)


def core_api(kubeconfig):
    cfg = client.Configuration()
    config.load_kube_config(config_file=kubeconfig, client_configuration=cfg)
    cfg.retries = False
    return client.CoreV1Api(client.ApiClient(cfg))


def fill(core):
    """Creates big ConfigMaps until the store refuses one; the names created and the refusal."""
    names = []
    for i in range(200):
        try:
            core.create_namespaced_config_map("default", client.V1ConfigMap(metadata=client.V1ObjectMeta(name=f"big-{i}"), data={"v": BIG}))
            names.append(f"big-{i}")
        except ApiException as e:
            return names, e
    raise AssertionError("24 MiB held 200 ConfigMaps of 400 kB: the disk never filled")


def test_full_disk(small_disk):
    data = os.path.join(small_disk, "data")
    os.mkdir(data)
    port = free_port()
    srv = Server(data, port).start()
    try:
        core = core_api(srv.kubeconfig)
        names, refusal = fill(core)
        assert refusal.status == 500, refusal
        status = json.loads(refusal.body)
        assert status["kind"] == "Status" and status["code"] == 500 and "reason" not in status, status
        assert "database space exceeded" in status["message"] and "deletes are still accepted" in status["message"], status
        assert "\\" not in status["message"] and "database(" not in status["message"], "no nested quoting: " + status["message"]
        assert shutil.disk_usage(small_disk).free < 4 << 20

        k = Kubectl(srv.kubeconfig)
        events = wait_for(lambda: [e for e in k.json("get", "events", "-A")["items"] if e["reason"] == "StoreDiskFull"], 10,
                          "a StoreDiskFull event")
        assert events[0]["type"] == "Warning" and "is full" in events[0]["message"], events[0]

        # Only deletes go through, and they do.
        r = k.run("create", "configmap", "small", "--from-literal=k=v", check=False)
        assert r.returncode != 0 and "database space exceeded" in r.stderr, r.stderr
        for name in names[:2]:
            k.run("delete", "configmap", name)

        # The server starts again on the full disk (it rewrites nothing it already has).
        kubeconfig_mtime = os.stat(srv.kubeconfig).st_mtime_ns
        srv.stop()
        srv = Server(data, port).start()
        assert os.stat(srv.kubeconfig).st_mtime_ns == kubeconfig_mtime
        k = Kubectl(srv.kubeconfig)
        for name in names[2:12]:
            k.run("delete", "configmap", name)
        # Deletes freed the space their objects held: writes are accepted again.
        wait_for(lambda: k.run("create", "configmap", "small", "--from-literal=k=v", check=False).returncode == 0, 10,
                 "a create after deletes freed space")
        assert k.json("get", "configmap", "small")["data"] == {"k": "v"}
    finally:
        srv.stop()
