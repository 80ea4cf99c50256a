"""Issue 2 acceptance: kill -9 in the middle of concurrent writes loses nothing
that was acknowledged, and no watcher saw an event that was then lost."""
import tempfile
import threading
import time

from kubernetes import client, config, watch

from conftest import Server, free_port


def make_api(kubeconfig):
    cfg = client.Configuration()
    config.load_kube_config(config_file=kubeconfig, client_configuration=cfg)
    cfg.retries = False
    return client.ApiClient(cfg)


def test_kill9_during_concurrent_writes():
    kill9_during_concurrent_writes()


def kill9_during_concurrent_writes(command=None, write_seconds=3, min_acked=50):
    """The scenario, for EDGECTL or another server command (a board binary under qemu-user:
    test_boards.py), writing for `write_seconds` before the kill."""
    with tempfile.TemporaryDirectory(prefix="edgectl-crash-") as d:
        port = free_port()
        srv = Server(d, port, command=command).start()
        core = client.CoreV1Api(make_api(srv.kubeconfig))
        acked = {}  # name -> resourceVersion returned to the client
        lock = threading.Lock()
        watched = []  # (type, name, rv) seen by a watcher
        stop = threading.Event()
        start_rv = core.list_namespaced_config_map("default").metadata.resource_version

        def writer(i):
            c = client.CoreV1Api(make_api(srv.kubeconfig))
            n = 0
            while not stop.is_set():
                name = f"crash-{i}-{n}"
                try:
                    o = c.create_namespaced_config_map("default", client.V1ConfigMap(
                        metadata=client.V1ObjectMeta(name=name), data={"payload": "x" * 1500}))
                except Exception:
                    return  # the server died under us: this write was never acknowledged
                with lock:
                    acked[name] = int(o.metadata.resource_version)
                n += 1

        def watcher():
            c = client.CoreV1Api(make_api(srv.kubeconfig))
            try:
                for ev in watch.Watch().stream(c.list_namespaced_config_map, "default", resource_version=start_rv):
                    watched.append((ev["type"], ev["object"].metadata.name, int(ev["object"].metadata.resource_version)))
            except Exception:
                return

        wt = threading.Thread(target=watcher, daemon=True)
        wt.start()
        threads = [threading.Thread(target=writer, args=(i,), daemon=True) for i in range(8)]
        for t in threads:
            t.start()
        time.sleep(write_seconds)
        srv.kill9()
        stop.set()
        for t in threads:
            t.join(timeout=30)
        wt.join(timeout=30)
        assert len(acked) > min_acked, "too few writes happened before the kill to prove anything"

        srv = Server(d, port, command=command).start()
        try:
            core = client.CoreV1Api(make_api(srv.kubeconfig))
            items = core.list_namespaced_config_map("default").items
            present = {x.metadata.name: int(x.metadata.resource_version) for x in items}
            missing = [n for n in acked if n not in present]
            assert not missing, f"{len(missing)} acknowledged writes lost, e.g. {missing[:5]}"
            for n, rv in acked.items():
                assert present[n] == rv
            lost_events = [e for e in watched if e[0] == "ADDED" and e[1] not in present]
            assert not lost_events, f"watchers saw events that were lost: {lost_events[:5]}"
            rvs = [e[2] for e in watched]
            assert rvs == sorted(rvs) and len(set(rvs)) == len(rvs), "watch revisions must strictly increase"
            # New writes after restart get higher revisions than anything before the crash.
            o = core.create_namespaced_config_map("default", client.V1ConfigMap(metadata=client.V1ObjectMeta(name="after-crash")))
            assert int(o.metadata.resource_version) > max(acked.values())
        finally:
            srv.stop()
