"""Issue 9 item 10: the store tells the truth after damage. Writes through
kubectl, kill -9, the WAL deleted or truncated: the server refuses to start
(resourceVersions would go backwards under clients' caches) and names
`edgectl store recover`; after it, the server starts past every revision
clients saw, and a watch from an old resourceVersion gets 410 Gone."""
import json
import os
import subprocess

import pytest

from conftest import EDGECTL, Kubectl, Server, free_port


def start_fails(data_dir, port):
    r = subprocess.run([EDGECTL, "server", "--data-dir", data_dir, "--bind-address", "127.0.0.1", "--https-listen-port", str(port),
                        "--disable-agent"], capture_output=True, text=True, timeout=60)
    assert r.returncode != 0, "the server started on a store that lost acknowledged writes:\n" + r.stdout + r.stderr
    return r.stderr


@pytest.mark.parametrize("damage", ["delete", "truncate"])
def test_lost_wal_is_refused_then_recovered(tmp_path, damage):
    d = str(tmp_path)
    port = free_port()
    srv = Server(d, port).start()
    k = Kubectl(srv.kubeconfig)
    for i in range(30):
        k.run("create", "configmap", f"before-{i}", "--from-literal=k=v")
    seen = int(json.loads(k.run("get", "--raw", "/api/v1/namespaces/default/configmaps").stdout)["metadata"]["resourceVersion"])
    srv.kill9()

    wal = os.path.join(d, "db", "state.db-wal")
    assert os.path.getsize(wal) > 32, "the writes are still in the WAL after kill -9"
    if damage == "delete":
        os.remove(wal)
    else:
        os.truncate(wal, 32 + 24 + 4096)

    err = start_fails(d, port)
    assert "was already handed to clients" in err, err
    assert f"edgectl store recover --data-dir {d}" in err, err

    r = subprocess.run([EDGECTL, "store", "recover", "--data-dir", d], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "recovered" in r.stdout, r.stdout

    srv = Server(d, port).start()
    try:
        k = Kubectl(srv.kubeconfig)
        listed = json.loads(k.run("get", "--raw", "/api/v1/namespaces/default/configmaps").stdout)
        assert int(listed["metadata"]["resourceVersion"]) > seen, "the store starts past every revision clients saw"
        assert {i["metadata"]["name"] for i in listed["items"]} < {f"before-{i}" for i in range(30)}, "what survived is served"
        created = json.loads(k.run("create", "configmap", "after", "--from-literal=k=v", "-o", "json").stdout)
        assert int(created["metadata"]["resourceVersion"]) > seen
        # A client resuming its watch from what it saw is told to relist.
        w = k.run("get", "--raw", f"/api/v1/namespaces/default/configmaps?watch=1&resourceVersion={seen}&timeoutSeconds=2")
        first = json.loads(w.stdout.splitlines()[0])
        assert first["type"] == "ERROR" and first["object"]["code"] == 410, w.stdout
        r = k.run("get", "--raw", f"/api/v1/namespaces/default/configmaps?resourceVersion={seen}&resourceVersionMatch=Exact", check=False)
        assert r.returncode != 0 and ("Expired" in r.stderr or "too old resource version" in r.stderr), r.stderr
    finally:
        srv.stop()


def test_a_clean_restart_and_a_crash_with_its_wal_start_without_fuss(tmp_path):
    d = str(tmp_path)
    port = free_port()
    srv = Server(d, port).start()
    Kubectl(srv.kubeconfig).run("create", "configmap", "a", "--from-literal=k=v")
    srv.stop()
    srv = Server(d, port).start()
    Kubectl(srv.kubeconfig).run("create", "configmap", "b", "--from-literal=k=v")
    srv.kill9()
    srv = Server(d, port).start()
    try:
        names = [i["metadata"]["name"] for i in Kubectl(srv.kubeconfig).json("get", "configmaps")["items"]]
        assert "a" in names and "b" in names, names
    finally:
        srv.stop()
