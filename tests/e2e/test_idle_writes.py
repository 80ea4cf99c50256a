"""Flash-friendly writes (issue 14): an idle server on its SQLite store writes only what it must. With the
store to itself (one process opens it) there is no rival to elect a leader against or to list in the
kubernetes Endpoints, so the scheduler's, the controller manager's and the API server's Leases are not
renewed every few seconds: each renewal is a durable commit an SD card pays for. A server on its own
(no agent) makes no revision at all while idle; a server with its local agent, only the node's Lease."""
import json
import tempfile
import time

from conftest import Kubectl, Server, free_port, wait_for

IDLE = 25  # seconds: more than 12 leader-lease renewals (every 2 s) and 5 apiserver-lease ones (every 5 s)


def revision(k):
    return int(json.loads(k.run("get", "--raw", "/api/v1/namespaces?limit=1").stdout)["metadata"]["resourceVersion"])


def leases(k, ns):
    return sorted(i["metadata"]["name"] for i in json.loads(k.run("get", "leases", "-n", ns, "-o", "json").stdout)["items"])


def settled(k, seconds=5):
    """Waits until the revision stands still for `seconds` (start-up writes are over)."""
    last = [revision(k), time.time()]

    def still():
        now = revision(k)
        if now != last[0]:
            last[:] = [now, time.time()]
        return time.time() - last[1] >= seconds
    wait_for(still, 90, "start-up writes to end")


def test_idle_server_alone_on_sqlite_writes_nothing():
    with tempfile.TemporaryDirectory(prefix="edgectl-idle-", dir="/var/tmp") as d:
        s = Server(d, free_port()).start()
        try:
            k = Kubectl(s.kubeconfig)
            # The server still lists itself for pods and agents.
            wait_for(lambda: "127.0.0.1" in k.run("get", "endpoints", "kubernetes", "-o", "json").stdout, 30, "kubernetes Endpoints")
            settled(k)
            before = revision(k)
            time.sleep(IDLE)
            after = revision(k)
            assert after == before, f"an idle server wrote {after - before} revisions in {IDLE} s"
            assert leases(k, "kube-system") == [], "no leader-election or apiserver Leases on a store no other server can share"
            # The scheduler and the controllers run all the same.
            k.run("create", "deployment", "idle-check", "--image", "example.invalid/none:1", "--replicas", "2")
            wait_for(lambda: len(json.loads(k.run("get", "pods", "-l", "app=idle-check", "-o", "json").stdout)["items"]) == 2,
                     30, "the Deployment's pods (controllers lead without an election)")
        finally:
            s.stop()
