"""Issue 15: several servers on one datastore (etcd, PostgreSQL) serve one cluster; the scheduler and
controllers run on one server at a time and move within 15 s when it dies; the datastore going away
gives clear 503s with Retry-After and every watch resumes with no missed and no duplicated event;
compaction gives 410 Gone to a too-old watch, on every backend."""
import json
import os
import signal
import subprocess
import tempfile
import threading
import time

import pytest
from kubernetes import client, config, watch

from conftest import EDGECTL, KUBECTL, Kubectl, Server, free_port, loopback_only_agent_args, wait_for
from node_cleanup import cleanup_node
from datastores import EtcdCluster, Postgres


def make_api(kubeconfig, retries=False):
    cfg = client.Configuration()
    config.load_kube_config(config_file=kubeconfig, client_configuration=cfg)
    cfg.retries = retries
    return client.ApiClient(cfg)


def server_token(server):
    return open(os.path.join(server.data_dir, "token")).read().strip()


def start_servers(base, count, endpoint, extra=()):
    """The first server makes the cluster; the others join it with --server and its token (CA and keys from it)."""
    servers = []
    for i in range(count):
        d = os.path.join(base, f"server{i}")
        os.makedirs(d)
        join = ["--server", f"https://127.0.0.1:{servers[0].port}", "--token", server_token(servers[0])] if servers else []
        servers.append(Server(d, free_port(), extra_args=["--datastore-endpoint", endpoint, "--node-name", f"server{i}", *join, *extra]).start())
    return servers


def lease_holder(kubectl, name):
    r = kubectl.run("get", "lease", "-n", "kube-system", name, "-o", "jsonpath={.spec.holderIdentity}", check=False)
    return r.stdout.strip() if r.returncode == 0 else ""


@pytest.fixture
def workdir():
    with tempfile.TemporaryDirectory(prefix="edgectl-ha-") as d:
        os.chmod(d, 0o755)
        yield d


@pytest.fixture
def etcd3(workdir):
    e = EtcdCluster(workdir, members=3).start()
    yield e
    e.stop()


@pytest.fixture
def postgres(workdir):
    p = Postgres(workdir).start()
    yield p
    p.stop()


def three_servers_serve_one_cluster(servers):
    a, b, c = (Kubectl(s.kubeconfig) for s in servers)
    api_b = client.CoreV1Api(make_api(servers[1].kubeconfig))
    rv = api_b.list_namespaced_config_map("default").metadata.resource_version
    seen = []

    def watcher():
        for ev in watch.Watch().stream(api_b.list_namespaced_config_map, "default", resource_version=rv, timeout_seconds=20):
            seen.append((ev["type"], ev["object"].metadata.name))
            if len(seen) >= 3:
                return

    t = threading.Thread(target=watcher, daemon=True)
    t.start()
    time.sleep(0.5)
    a.run("create", "configmap", "from-a", "--from-literal=k=1")
    c.run("create", "configmap", "from-c", "--from-literal=k=1")
    a.run("delete", "configmap", "from-c")
    t.join(timeout=20)
    assert seen == [("ADDED", "from-a"), ("ADDED", "from-c"), ("DELETED", "from-c")], seen
    assert b.json("get", "configmap", "from-a")["data"] == {"k": "1"}
    # ClusterIPs and nodePorts allocated through different servers never collide.
    made = [(a, b, c)[i % 3].json("create", "service", "nodeport", f"svc-{i}", "--tcp=80:80") for i in range(6)]
    ips = [m["spec"]["clusterIP"] for m in made]
    ports = [m["spec"]["ports"][0]["nodePort"] for m in made]
    assert len(set(ips)) == 6 and len(set(ports)) == 6, (ips, ports)
    # Every server is in the kubernetes Endpoints (where agents learn them).
    want = sorted(f"127.0.0.1:{s.port}" for s in servers)

    def listed():
        ep = c.json("get", "endpoints", "kubernetes")
        got = sorted(f"{x['ip']}:{p['port']}" for s in ep.get("subsets", []) for x in s["addresses"] for p in s["ports"])
        return got == want

    wait_for(listed, 20, f"kubernetes Endpoints listing {want}", show=lambda: c.run("get", "endpoints", "kubernetes", "-o", "json").stdout)
    # One cluster CA: each server's serving certificate verifies against the first server's kubeconfig CA.
    for s in servers:
        r = subprocess.run([KUBECTL, "--kubeconfig", servers[0].kubeconfig, "--server", f"https://127.0.0.1:{s.port}", "get", "--raw", "/readyz"],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr


def join_through_every_server(servers, base):
    """`edgectl join` works against any server, the joined ones too: each hands out a bootstrap token, and the
    node certificate the join obtains through it is signed by the one cluster CA and accepted by every server."""
    ca = os.path.join(servers[0].data_dir, "tls", "ca.crt")
    for i, s in enumerate(servers):
        out = subprocess.run([EDGECTL, "token", "create", "--kubeconfig", s.kubeconfig], capture_output=True, text=True, check=True).stdout.split()
        url, token, ca_hash = out[2], out[4], out[6]
        assert url == f"https://127.0.0.1:{s.port}", out
        d = os.path.join(base, f"joined-via-{i}")
        r = subprocess.run([EDGECTL, "join", url, "--token", token, "--ca-cert-hash", ca_hash, "--data-dir", d,
                            "--node-name", f"joined-via-{i}", "--no-agent"], capture_output=True, text=True, timeout=90)
        assert r.returncode == 0, r.stdout + r.stderr
        kubeconfig = os.path.join(d, "kubeconfig.yaml")
        for other in servers:
            # The node's own Lease: allowed to a node (404 until its agent runs), refused to anyone unknown.
            r = subprocess.run([KUBECTL, "--kubeconfig", kubeconfig, "--server", f"https://127.0.0.1:{other.port}", "get", "--raw",
                                f"/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/joined-via-{i}"],
                               capture_output=True, text=True, timeout=30)
            assert "NotFound" in r.stderr or "not found" in r.stderr, (i, other.port, r.stdout, r.stderr)
        with open(os.path.join(d, "kubeconfig.yaml")) as f:
            import base64
            import yaml
            user = yaml.safe_load(f)["users"][0]["user"]
        crt = os.path.join(d, "client-check.crt")
        with open(crt, "wb") as f:
            f.write(base64.b64decode(user["client-certificate-data"]) if "client-certificate-data" in user
                    else open(user["client-certificate"], "rb").read())
        r = subprocess.run(["openssl", "verify", "-CAfile", ca, crt], capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr


def test_three_servers_on_three_member_etcd(workdir, etcd3):
    servers = start_servers(workdir, 3, etcd3.endpoint)
    try:
        three_servers_serve_one_cluster(servers)
        join_through_every_server(servers, workdir)
    finally:
        for s in servers:
            s.stop()


def test_three_servers_on_postgres(workdir, postgres):
    servers = start_servers(workdir, 3, postgres.create_database("cluster"))
    try:
        three_servers_serve_one_cluster(servers)
    finally:
        for s in servers:
            s.stop()


def join_agent(server, data_dir, name):
    """`edgectl join` against `server` (an agent in the root namespace, loopback-only pod network)."""
    out = subprocess.run([EDGECTL, "token", "create", "--kubeconfig", server.kubeconfig], capture_output=True, text=True, check=True).stdout.split()
    url, token, ca_hash = out[2], out[4], out[6]
    log = open(os.path.join(data_dir, "agent.log"), "ab")
    return subprocess.Popen([EDGECTL, "join", url, "--token", token, "--ca-cert-hash", ca_hash, "--data-dir", os.path.join(data_dir, "agent"),
                             "--node-name", name, "--agent-api-port", str(free_port()), *loopback_only_agent_args(data_dir)],
                            stdout=log, stderr=subprocess.STDOUT)


def node_lease(k, name):
    r = k.run("get", "lease", "-n", "kube-node-lease", name, "-o", "jsonpath={.spec.renewTime}", check=False)
    return r.stdout.strip() if r.returncode == 0 else ""


def test_controllers_move_within_15s_when_their_server_dies(workdir, etcd3):
    """kill -9 the server holding kube-controller-manager while kubectl and an agent work: kubectl against another
    server keeps working, the agent carries on through another server, controllers resume within 15 s."""
    servers = start_servers(workdir, 3, etcd3.endpoint)
    agent = None
    agent_dir = os.path.join(workdir, "agent")
    os.makedirs(agent_dir)
    try:
        k = Kubectl(servers[0].kubeconfig)
        holder = wait_for(lambda: lease_holder(k, "kube-controller-manager"), 20, "a controller-manager leader")
        leader = next(s for s in servers if holder.startswith(os.path.basename(s.data_dir) + "_"))
        others = [s for s in servers if s is not leader]
        k2 = Kubectl(others[0].kubeconfig)
        # An agent joined through the leader: it learns the other servers from the kubernetes Endpoints.
        agent = join_agent(leader, agent_dir, "ha-node")
        servers_file = os.path.join(agent_dir, "agent", "servers")
        wait_for(lambda: os.path.exists(servers_file) and len(open(servers_file).read().split()) == 3, 40,
                 "the agent to learn all three servers", show=lambda: open(os.path.join(agent_dir, "agent.log")).read()[-2000:])
        k2.run("create", "deployment", "before", "--image=busybox", "--replicas=1")
        wait_for(lambda: k2.run("get", "replicaset", "-l", "app=before", "-o", "name").stdout.strip(), 20, "the deployment's replicaset")
        acked = []
        for i in range(5):
            k2.run("create", "configmap", f"acked-{i}", "--from-literal=k=v")
            acked.append(f"acked-{i}")
        killed_at = time.time()
        leader.kill9()
        # kubectl against another server keeps working throughout.
        k2.run("create", "deployment", "after", "--image=busybox", "--replicas=1")
        wait_for(lambda: k2.run("get", "replicaset", "-l", "app=after", "-o", "name").stdout.strip(), 30,
                 "a replicaset for a deployment created after the kill")
        moved = time.time() - killed_at
        new_holder = lease_holder(k2, "kube-controller-manager")
        assert new_holder and new_holder != holder, (holder, new_holder)
        assert moved < 15, f"controllers resumed {moved:.1f}s after their server died"
        wait_for(lambda: lease_holder(k2, "kube-scheduler") not in ("", holder), 15, "the scheduler's lease to move too")
        names = {x["metadata"]["name"] for x in k2.json("get", "configmap")["items"]}
        assert set(acked) <= names, "nothing acknowledged is lost"
        # The agent reconnects by itself: its node lease is renewed through another server.
        before = node_lease(k2, "ha-node")
        wait_for(lambda: node_lease(k2, "ha-node") not in ("", before), 40, "the agent to renew its lease through another server",
                 show=lambda: open(os.path.join(agent_dir, "agent.log")).read()[-2000:])
        assert agent.poll() is None, "the agent kept running"
        # The dead server leaves the kubernetes Endpoints once its lease expires.
        wait_for(lambda: f"{leader.port}" not in k2.run("get", "endpoints", "kubernetes", "-o", "json").stdout, 30,
                 "the dead server to leave the kubernetes Endpoints")
    finally:
        if agent:
            agent.terminate()
            try:
                agent.wait(timeout=15)
            except subprocess.TimeoutExpired:
                agent.kill()
        cleanup_node(agent_dir)
        for s in servers:
            s.stop()


def raw_status(kubeconfig, path):
    """One GET with the admin client certificate: (status, headers, body)."""
    import base64
    import http.client
    import ssl
    import yaml
    cfg = yaml.safe_load(open(kubeconfig))
    cluster, user = cfg["clusters"][0]["cluster"], cfg["users"][0]["user"]
    with tempfile.TemporaryDirectory() as d:
        files = {}
        for key, name in [("client-certificate-data", "crt"), ("client-key-data", "key")]:
            files[name] = os.path.join(d, name)
            open(files[name], "wb").write(base64.b64decode(user[key]))
        ctx = ssl.create_default_context(cadata=base64.b64decode(cluster["certificate-authority-data"]).decode())
        ctx.load_cert_chain(files["crt"], files["key"])
    host, port = cluster["server"].split("//")[1].rsplit(":", 1)
    conn = http.client.HTTPSConnection(host, int(port), context=ctx, timeout=15)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    except OSError:
        return 0, {}, b""
    finally:
        conn.close()


def store_restart_under_write_load(workdir, endpoint, kill, restart):
    """Writes through one server and a watch through another, while the datastore is killed and restarted."""
    servers = start_servers(workdir, 2, endpoint)
    try:
        writer_api = client.CoreV1Api(make_api(servers[0].kubeconfig))
        watch_api = client.CoreV1Api(make_api(servers[1].kubeconfig))
        start_rv = watch_api.list_namespaced_config_map("default").metadata.resource_version
        acked, refused, watched = {}, [], []
        stop = threading.Event()

        def writer():
            n = 0
            while not stop.is_set():
                try:
                    o = writer_api.create_namespaced_config_map("default", client.V1ConfigMap(metadata=client.V1ObjectMeta(name=f"w-{n}")))
                    acked[o.metadata.name] = int(o.metadata.resource_version)
                    n += 1
                except client.exceptions.ApiException as e:
                    refused.append((e.status, (e.headers or {}).get("Retry-After")))
                    if e.status == 409:
                        n += 1  # created, but the answer was lost: the retry found it
                    time.sleep(0.05)
                except Exception:
                    time.sleep(0.05)

        def watcher():
            rv = start_rv
            while not stop.is_set():
                try:
                    for ev in watch.Watch().stream(watch_api.list_namespaced_config_map, "default", resource_version=rv, timeout_seconds=5):
                        o = ev["object"]
                        watched.append((ev["type"], o.metadata.name, int(o.metadata.resource_version)))
                        rv = o.metadata.resource_version
                except Exception:
                    time.sleep(0.1)

        threads = [threading.Thread(target=writer, daemon=True), threading.Thread(target=watcher, daemon=True)]
        for t in threads:
            t.start()
        time.sleep(2)
        kill()
        status, headers, _ = (None, {}, None)
        deadline = time.time() + 15
        while time.time() < deadline:
            status, headers, _ = raw_status(servers[0].kubeconfig, "/api/v1/namespaces/default/configmaps")
            if status == 503:
                break
            time.sleep(0.2)
        assert status == 503, f"while the datastore is down the server answers 503, got {status}"
        assert headers.get("Retry-After") == "1", headers
        time.sleep(2)
        restart()
        wait_for(lambda: raw_status(servers[0].kubeconfig, "/api/v1/namespaces/default/configmaps")[0] == 200, 60,
                 "the server to serve again by itself")
        before = len(acked)
        wait_for(lambda: len(acked) > before + 20, 30, "writes to go on after the datastore came back")
        stop.set()
        for t in threads:
            t.join(timeout=15)
        assert any(s == 503 and r == "1" for s, r in refused), f"writers were told 503 with Retry-After: {refused[:10]}"
        # Every acknowledged write reached the watch on the other server, once, in revision order.
        final = {n: rv for (typ, n, rv) in watched if typ == "ADDED"}
        wait_for(lambda: True, 1, "")
        missing = [n for n, rv in acked.items() if rv <= max(final.values(), default=0) and n not in final]
        assert not missing, f"watch missed acknowledged writes: {missing[:10]}"
        rvs = [rv for (_, _, rv) in watched]
        assert rvs == sorted(rvs) and len(set(rvs)) == len(rvs), "no duplicated or reordered event"
        assert all(final[n] == rv for n, rv in acked.items() if n in final)
    finally:
        for s in servers:
            s.stop()


def test_etcd_restart_under_write_load(workdir):
    etcd = EtcdCluster(workdir, members=1).start()
    try:
        store_restart_under_write_load(workdir, etcd.endpoint, etcd.kill, etcd.restart)
    finally:
        etcd.stop()


def test_postgres_restart_under_write_load(workdir, postgres):
    store_restart_under_write_load(workdir, postgres.create_database("restart"), postgres.kill, postgres.restart)


def compaction_gives_410(workdir, endpoint):
    s = Server(os.path.join(workdir, "c"), free_port(), extra_args=["--datastore-endpoint", endpoint, "--compaction-interval", "1s", "--compaction-retention", "2s"])
    os.makedirs(s.data_dir)
    s.start()
    try:
        k = Kubectl(s.kubeconfig)
        old = k.json("create", "configmap", "old", "--from-literal=k=0")["metadata"]["resourceVersion"]
        for i in range(1, 6):
            k.run("create", "configmap", f"c{i}", "--from-literal=k=v")
            time.sleep(1)
        r = subprocess.run([KUBECTL, "--kubeconfig", s.kubeconfig, "get", "--raw",
                            f"/api/v1/namespaces/default/configmaps?watch=1&resourceVersion={old}&timeoutSeconds=2"],
                           capture_output=True, text=True, timeout=30)
        ev = json.loads(r.stdout.splitlines()[0])
        assert ev["type"] == "ERROR" and ev["object"]["code"] == 410, r.stdout[:500]
        assert ev["object"]["reason"] == "Expired" or "too old resource version" in ev["object"]["message"], ev
    finally:
        s.stop()


def test_compaction_gives_410_on_sqlite(workdir):
    compaction_gives_410(workdir, f"sqlite://{workdir}/state.db")


def test_compaction_gives_410_on_etcd(workdir):
    etcd = EtcdCluster(workdir, members=1).start()
    try:
        compaction_gives_410(workdir, etcd.endpoint)
    finally:
        etcd.stop()


def test_compaction_gives_410_on_postgres(workdir, postgres):
    compaction_gives_410(workdir, postgres.create_database("compaction"))


def test_datastore_password_never_in_logs_or_errors(workdir, postgres):
    """A wrong password: the server refuses to start, saying why, and nowhere shows the password."""
    bad = postgres.dsn("postgres").replace(postgres.password, "wrong-secret-4242")
    d = os.path.join(workdir, "pw")
    os.makedirs(d)
    r = subprocess.run([EDGECTL, "server", "--data-dir", d, "--bind-address", "127.0.0.1",
                        "--https-listen-port", str(free_port()), "--disable-agent", "--flannel-backend", "none"],
                       env=dict(os.environ, EDGECTL_DATASTORE_ENDPOINT=bad), capture_output=True, text=True, timeout=120)
    assert r.returncode != 0
    out = r.stdout + r.stderr
    assert "authentication failed" in out, out[-2000:]
    assert "wrong-secret-4242" not in out and postgres.password not in out
    # A good one: the server's log names the datastore without the password.
    s = Server(os.path.join(workdir, "ok"), free_port(), extra_args=["--datastore-endpoint", postgres.create_database("pwok")])
    os.makedirs(s.data_dir)
    s.start()
    try:
        Kubectl(s.kubeconfig).run("create", "configmap", "x")
        log = open(s.log_path).read()
        assert "postgres://edgectl:REDACTED@" in log and postgres.password not in log, log[-2000:]
    finally:
        s.stop()


def test_a_datastore_holding_a_cluster_is_joined_never_taken_over(workdir, postgres):
    """A second server on the same datastore without --server/--token is refused; a wrong token too."""
    dsn = postgres.create_database("takeover")
    first = start_servers(workdir, 1, dsn)[0]
    try:
        d = os.path.join(workdir, "intruder")
        os.makedirs(d)
        base = [EDGECTL, "server", "--data-dir", d, "--bind-address", "127.0.0.1", "--https-listen-port", str(free_port()),
                "--disable-agent", "--flannel-backend", "none", "--datastore-endpoint", dsn]
        r = subprocess.run(base, capture_output=True, text=True, timeout=60)
        assert r.returncode != 0 and "already holds a cluster" in r.stdout + r.stderr, (r.stdout + r.stderr)[-2000:]
        good = server_token(first)
        wrong = good.rsplit(":", 1)[0] + ":" + "0" * 32
        r = subprocess.run(base + ["--server", f"https://127.0.0.1:{first.port}", "--token", wrong], capture_output=True, text=True, timeout=60)
        assert r.returncode != 0 and "refused the server token" in r.stdout + r.stderr, (r.stdout + r.stderr)[-2000:]
        assert good.rsplit(":", 1)[1] not in r.stdout + r.stderr
        assert not os.path.exists(os.path.join(d, "tls", "ca.key")), "no cluster key handed out for a wrong token"
    finally:
        first.stop()


def cluster_init_servers(base, count):
    """The first server runs --cluster-init; the others join it (and its etcd) with --server/--token."""
    servers = []
    for i in range(count):
        d = os.path.join(base, f"ci{i}")
        os.makedirs(d)
        join = ["--server", f"https://127.0.0.1:{servers[0].port}", "--token", server_token(servers[0])] if servers else ["--cluster-init"]
        servers.append(Server(d, free_port(), extra_args=[*join, "--node-name", f"ci{i}", "--etcd-client-port", str(free_port()),
                                                           "--etcd-peer-port", str(free_port())]).start(timeout=90))
    return servers


def etcd_members(server):
    """The embedded etcd's member names, asked through that server's own member with its client certificate."""
    member = json.load(open(os.path.join(server.data_dir, "etcd", "member.json")))
    tls = os.path.join(server.data_dir, "etcd", "tls")
    r = subprocess.run(["curl", "-sf", "--cacert", f"{tls}/ca.crt", "--cert", f"{tls}/client.crt", "--key", f"{tls}/client.key",
                        "-X", "POST", "-d", "{}", f"https://127.0.0.1:{member['clientPort']}/v3/cluster/member/list"],
                       capture_output=True, text=True, timeout=10)
    assert r.returncode == 0, r.stderr
    return sorted(m.get("name", "") for m in json.loads(r.stdout)["members"])


def test_cluster_init_three_servers_survive_kill9_and_removing_a_server_removes_its_member(workdir):
    servers = cluster_init_servers(workdir, 3)
    try:
        assert etcd_members(servers[0]) == ["ci0", "ci1", "ci2"]
        # Peer and client TLS from the cluster CA: plain HTTP to a member is refused.
        member = json.load(open(os.path.join(servers[0].data_dir, "etcd", "member.json")))
        r = subprocess.run(["curl", "-s", "-m", "3", "-X", "POST", "-d", "{}", f"http://127.0.0.1:{member['clientPort']}/v3/kv/range"],
                           capture_output=True, text=True)
        assert '"header"' not in r.stdout
        three_servers_serve_one_cluster(servers)
        k1 = Kubectl(servers[1].kubeconfig)
        k1.run("create", "configmap", "before-kill", "--from-literal=k=v")
        servers[0].kill9()  # the first server, and with it its etcd member
        k1.run("create", "configmap", "after-kill", "--from-literal=k=v")
        assert {"before-kill", "after-kill"} <= {x["metadata"]["name"] for x in Kubectl(servers[2].kubeconfig).json("get", "configmap")["items"]}
        wait_for(lambda: lease_holder(k1, "kube-controller-manager").split("_")[0] in ("ci1", "ci2"), 20, "controllers on a live server")
        # ci0 is gone for good: deleting its Node removes its member (here the Node is made by hand: servers run without agents).
        k1.run("create", "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "ci0"}}))
        k1.run("delete", "node", "ci0")
        wait_for(lambda: etcd_members(servers[1]) == ["ci1", "ci2"], 30, "ci0's etcd member to be removed")
    finally:
        for s in servers:
            s.stop()


def test_backup_under_write_load_restored_on_a_fresh_data_dir(workdir):
    d = os.path.join(workdir, "b")
    os.makedirs(d)
    s = Server(d, free_port(), extra_args=["--backup-schedule", "* * * * *", "--backup-retention", "2"]).start()
    api = client.CoreV1Api(make_api(s.kubeconfig))
    acked, stop = [], threading.Event()

    def writer():
        n = 0
        while not stop.is_set():
            o = api.create_namespaced_config_map("default", client.V1ConfigMap(metadata=client.V1ObjectMeta(name=f"b-{n}")))
            acked.append((time.time(), o.metadata.name))
            n += 1

    t = threading.Thread(target=writer, daemon=True)
    t.start()
    time.sleep(1)
    taken_at = time.time()
    r = subprocess.run([EDGECTL, "backup", "save", "--data-dir", d, "--name", "under-load"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    snapshot = r.stdout.strip()
    time.sleep(1)
    stop.set()
    t.join(timeout=10)
    before = [n for (at, n) in acked if at < taken_at]
    assert len(before) > 10, "writes were going on when the snapshot was taken"
    # Restore refuses while the server runs.
    fresh = os.path.join(workdir, "fresh")
    os.makedirs(fresh)
    r = subprocess.run([EDGECTL, "backup", "restore", snapshot, "--data-dir", d], capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "running" in r.stderr + r.stdout, r.stderr
    s.stop()
    r = subprocess.run([EDGECTL, "backup", "restore", snapshot, "--data-dir", fresh], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    s2 = Server(fresh, free_port()).start()
    try:
        names = {x["metadata"]["name"] for x in Kubectl(s2.kubeconfig).json("get", "configmap")["items"]}
        missing = [n for n in before if n not in names]
        assert not missing, f"{len(missing)} writes acknowledged before the snapshot are not in it: {missing[:5]}"
        # The same cluster: its CA came back with the snapshot, so the old admin kubeconfig still works.
        assert open(os.path.join(fresh, "tls", "ca.crt")).read() == open(os.path.join(d, "tls", "ca.crt")).read()
        r = subprocess.run([KUBECTL, "--kubeconfig", s.kubeconfig, "--server", f"https://127.0.0.1:{s2.port}", "get", "configmap", "b-0"],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
    finally:
        s2.stop()


def test_scheduled_backups_keep_the_newest(workdir):
    d = os.path.join(workdir, "sched")
    os.makedirs(d)
    os.makedirs(os.path.join(d, "backups"))
    old = os.path.join(d, "backups", "scheduled-20200101T000000Z.db")
    open(old, "w").write("an older scheduled snapshot")
    s = Server(d, free_port(), extra_args=["--backup-schedule", "* * * * *", "--backup-retention", "1"]).start()
    try:
        files = lambda: sorted(f for f in os.listdir(os.path.join(d, "backups")) if f.startswith("scheduled-") and f.endswith(".db"))
        wait_for(lambda: files() and files()[0] != os.path.basename(old), 75, "a scheduled backup replacing the older one",
                 show=files)
        assert len(files()) == 1, files()
        path = os.path.join(d, "backups", files()[0])
        assert os.stat(path).st_mode & 0o777 == 0o600
        assert open(path, "rb").read(16) == b"SQLite format 3\x00"
    finally:
        s.stop()


def etcd_pids(server):
    """The pids of the etcd the server runs (its --data-dir is under the server's data dir)."""
    want = f"--data-dir\0{server.data_dir}/etcd/data\0".encode()
    pids = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                cmd = open(f"/proc/{p}/cmdline", "rb").read()
            except OSError:
                continue
            if want in cmd and not cmd.startswith(b"setpriv"):
                pids.append(int(p))
    return pids


def test_cluster_init_backup_and_restore_in_place(workdir):
    s = cluster_init_servers(workdir, 1)[0]
    k = Kubectl(s.kubeconfig)
    # The server supervises its etcd member: killed, it is started again and the server serves by itself.
    [etcd_pid] = etcd_pids(s)
    os.kill(etcd_pid, signal.SIGKILL)
    wait_for(lambda: etcd_pids(s) and etcd_pids(s) != [etcd_pid], 30, "the server to start its etcd again",
             show=lambda: (etcd_pids(s), open(s.log_path).read()[-1500:], open(os.path.join(s.data_dir, "etcd", "etcd.log")).read()[-1500:]))
    def create_kept():
        r = k.run("create", "configmap", "kept", "--from-literal=k=v", check=False)
        return r.returncode == 0 or "AlreadyExists" in r.stderr  # an earlier try went through, its answer lost

    wait_for(create_kept, 30, "writes to work again after etcd was restarted")
    r = subprocess.run([EDGECTL, "backup", "save", "--data-dir", s.data_dir], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.strip().endswith(".etcd"), r.stderr
    k.run("create", "configmap", "after-snapshot", "--from-literal=k=v")
    s.stop()
    r = subprocess.run([EDGECTL, "backup", "restore", r.stdout.strip(), "--data-dir", s.data_dir], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    s.start(timeout=90)
    try:
        names = {x["metadata"]["name"] for x in k.json("get", "configmap")["items"]}
        assert "kept" in names and "after-snapshot" not in names, names
    finally:
        s.stop()
