"""The pod network across nodes, in a 3-node lab (scripts/lab: every node, pod
and route lives in network namespaces this test creates). For both built-in
backends (vxlan, host-gw): each node gets its own range, pods get addresses
from their node's range, a pod on node2 reaches a pod on node3 by IP, a
hostNetwork pod keeps the node's address, pods get the kubelet's resolv.conf
and /etc/hosts, addresses survive an agent kill -9 and are never handed out
twice, and deleting pods (then the lab) leaves nothing of edgectl behind.
With --flannel-backend none the agent calls Debian's CNI plugins instead
(bridge + host-local + portmap, with a spy plugin in the chain recording
ADD/CHECK/DEL). Root only: it fails, not skips, where it cannot run."""
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

from conftest import EDGECTL, wait_for
from lab import Lab, node_ip, unavailable

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
NODES = ["node1", "node2", "node3"]
HELLO = "hello from busybox-httpd"


@pytest.fixture(scope="session")
def images():
    why = unavailable()
    assert why is None, why  # root suites fail where they cannot run
    assert shutil.which("/usr/lib/cni/bridge") or os.path.exists("/usr/lib/cni/bridge"), \
        "Debian's containernetworking-plugins are missing: scripts/install-deps installs them"
    d = tempfile.mkdtemp(prefix="np-images-")
    subprocess.run(["bash", os.path.join(ROOT, "images", "build"), d], check=True, capture_output=True)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def root_network_state():
    """What edgectl could leave in the machine's root namespace: its links and tagged routes."""
    links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout
    names = sorted(re.findall(r"^\d+: ([^:@]+)", links, re.M))
    routes = subprocess.run(["ip", "route", "show", "proto", "237"], capture_output=True, text=True).stdout
    return [n for n in names if n.startswith("edge")], routes.strip()


class NetLab:
    """A lab whose nodes are joined and have the test images."""

    def __init__(self, tag, images, server_args=(), join_args=lambda node: ()):
        self.tmp = tempfile.mkdtemp(prefix="np-e2e-")
        self.lab = Lab(f"np{tag}{os.getpid()}", os.path.join(self.tmp, "lab"))
        self.images = images
        self.join_args = join_args
        self.before = root_network_state()
        self.lab.up(nodes=len(NODES), server_args=server_args)
        for n in NODES:
            self.join(n)
            for image in ("busybox", "busybox-httpd"):
                self.lab.run(n, EDGECTL, "images", "import", "--data-dir", self.node_dir(n), os.path.join(images, image), check=True)

    def node_dir(self, node):
        return os.path.join(self.lab.dir, node)

    def join(self, node):
        r = self.lab.script("join", node, *self.join_args(node))
        assert f"{node} joined and is Ready" in r.stdout, r.stdout + r.stderr + self.log(node)

    def log(self, node):
        try:
            return open(os.path.join(self.lab.dir, f"{node}.log")).read()[-3000:]
        except OSError:
            return ""

    def kubectl(self, *args, check=True):
        return self.lab.kubectl(*args, check=check)

    def json(self, *args):
        return json.loads(self.kubectl(*args, "-o", "json").stdout)

    def apply(self, manifest):
        path = os.path.join(self.tmp, manifest["metadata"]["name"] + ".json")
        json.dump(manifest, open(path, "w"))
        self.kubectl("apply", "-f", path)

    def running(self, name, ns="default", timeout=60):
        def get():
            r = self.kubectl("get", "pod", name, "-n", ns, "-o", "json", check=False)
            p = json.loads(r.stdout) if r.returncode == 0 else None
            return p if p and p["status"].get("phase") == "Running" and p["status"].get("podIP") else None
        return wait_for(get, timeout, f"pod {ns}/{name} Running with an IP",
                        show=lambda: self.kubectl("get", "pod", name, "-n", ns, "-o", "yaml", check=False).stdout[-2500:])

    def exec(self, name, *cmd, ns="default", check=True):
        r = self.kubectl("exec", "-n", ns, name, "--", *cmd, check=False)
        if check:
            assert r.returncode == 0, (cmd, r.returncode, r.stdout, r.stderr)
        return r

    def node_links(self, node):
        out = self.lab.run(node, "ip", "-o", "link", check=True).stdout
        return re.findall(r"^\d+: ([^:@]+)", out, re.M)

    def down(self):
        self.lab.tear_down(self.tmp)
        after = root_network_state()
        assert after == self.before, f"edgectl left something in the root namespace: {after} (before: {self.before})"


def pod(name, node, image="busybox-httpd", command=None, **spec):
    c = {"name": "main", "image": f"localhost/{image}:latest", "imagePullPolicy": "Never"}
    if command:
        c["command"] = command
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"nodeSelector": {"kubernetes.io/hostname": node}, "terminationGracePeriodSeconds": 1, "containers": [c], **spec}}


def sleeper(name, node, **spec):
    return pod(name, node, image="busybox", command=["sleep", "3600"], **spec)


def fetch(netlab, client, ip, port=8080):
    """GET / from inside pod `client` (busybox wget; its -T option crashes Debian's 1.35 static build, so coreutils' timeout bounds it)."""
    return netlab.exec(client, "timeout", "10", "wget", "-O", "-", f"http://{ip}:{port}/", check=False)


def test_server_refuses_a_cluster_range_overlapping_its_network(images):
    """On a machine whose network is inside 10.42.0.0/16, the default --cluster-cidr is refused at start."""
    ns = f"np-ovl{os.getpid()}"
    d = tempfile.mkdtemp(prefix="np-ovl-")
    subprocess.run(["ip", "netns", "add", ns], check=True)
    try:
        subprocess.run(["ip", "-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", "eth1"], check=True)
        subprocess.run(["ip", "-n", ns, "addr", "add", "10.42.7.20/24", "dev", "eth0"], check=True)
        subprocess.run(["ip", "-n", ns, "link", "set", "eth0", "up"], check=True)
        r = subprocess.run(["nsenter", f"--net=/run/netns/{ns}", EDGECTL, "server", "--data-dir", d, "--disable-agent",
                            "--https-listen-port", "16443"], capture_output=True, text=True, timeout=30)
        assert r.returncode != 0, r.stdout
        assert "--cluster-cidr 10.42.0.0/16 overlaps this machine's network 10.42.7.0/24 (10.42.7.20 on eth0)" in r.stderr, r.stderr
        assert not os.path.exists(os.path.join(d, "kubeconfig.yaml")), "refused before anything was set up"
    finally:
        subprocess.run(["ip", "netns", "del", ns])
        shutil.rmtree(d, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# Built-in backends


@pytest.fixture(scope="module", params=["vxlan", "host-gw"])
def netlab(request, images):
    n = NetLab(request.param[:2], images, server_args=["--flannel-backend", request.param])
    n.backend = request.param
    try:
        for node in NODES:
            n.apply(pod(f"web-{node}", node))
        n.apply(sleeper("client-node2", "node2"))
        n.pods = {p: n.running(p) for p in [f"web-{node}" for node in NODES] + ["client-node2"]}
        yield n
    finally:
        n.down()


def node_ranges(netlab):
    return {node: netlab.json("get", "node", node)["spec"]["podCIDR"] for node in NODES}


def in_range(ip, cidr):
    net, bits = cidr.split("/")
    to_int = lambda a: int.from_bytes(bytes(int(x) for x in a.split(".")), "big")  # noqa: E731
    mask = (0xFFFFFFFF << (32 - int(bits))) & 0xFFFFFFFF
    return to_int(ip) & mask == to_int(net) & mask


def test_each_node_gets_its_own_range_and_reports_its_network(netlab):
    ranges = node_ranges(netlab)
    assert len(set(ranges.values())) == 3, ranges
    for node, cidr in ranges.items():
        assert cidr.startswith("10.42.") and cidr.endswith("/24"), cidr
        n = netlab.json("get", "node", node)
        assert n["spec"]["podCIDRs"] == [cidr]
        cond = {c["type"]: c for c in n["status"]["conditions"]}
        assert cond["NetworkUnavailable"]["status"] == "False" and cond["NetworkUnavailable"]["reason"] == "FlannelIsUp", cond
        assert cond["Ready"]["status"] == "True"
        ann = n["metadata"]["annotations"]
        assert ann["flannel.edgectl.io/backend-type"] == netlab.backend and ann["flannel.edgectl.io/public-ip"] == node_ip(node), ann
        links = netlab.node_links(node)
        assert "edge0" in links
        assert ("edge.1" in links) == (netlab.backend == "vxlan"), links


def test_pods_get_addresses_from_their_nodes_range(netlab):
    ranges = node_ranges(netlab)
    for node in NODES:
        p = netlab.pods[f"web-{node}"]
        ip = p["status"]["podIP"]
        assert in_range(ip, ranges[node]), (ip, ranges[node])
        assert p["status"]["podIPs"] == [{"ip": ip}]
        assert p["status"]["hostIP"] == node_ip(node)
        inside = netlab.exec(f"web-{node}", "ip", "-o", "-4", "addr", "show", "eth0").stdout
        assert f"inet {ip}/24" in inside, inside
        # The link keeps the uplink's MTU (same-node traffic is never encapsulated); with vxlan the
        # default route, which everything off the node's range takes, has VXLAN's 50 bytes off.
        mtu = netlab.exec(f"web-{node}", "cat", "/sys/class/net/eth0/mtu").stdout.strip()
        assert mtu == "1500", mtu
        # (iproute2's ip in the pod's namespace: busybox's does not print a route's metrics)
        netns = os.path.join(netlab.node_dir(node), "pods", p["metadata"]["uid"], "netns")
        default = subprocess.run(["nsenter", f"--net={netns}", "ip", "route", "show", "default"], capture_output=True, text=True).stdout
        assert ("mtu 1450" in default) == (netlab.backend == "vxlan") and "via" in default, default


def test_a_pod_on_node2_reaches_pods_by_ip_on_node3_and_its_own_node(netlab):
    for target in ("web-node3", "web-node2", "web-node1"):
        ip = netlab.pods[target]["status"]["podIP"]
        r = fetch(netlab, "client-node2", ip)
        assert HELLO in r.stdout, (target, ip, r.returncode, r.stdout, r.stderr)


def test_host_network_pod_keeps_the_node_address(netlab):
    netlab.apply(sleeper("hostnet", "node1", hostNetwork=True))
    p = netlab.running("hostnet")
    assert p["status"]["podIP"] == node_ip("node1") and p["status"]["hostIP"] == node_ip("node1"), p["status"]
    hosts = netlab.exec("hostnet", "cat", "/etc/hosts").stdout
    assert hosts.startswith("# Kubernetes-managed hosts file (host network).\n"), hosts
    assert "inet " + node_ip("node1") in netlab.exec("hostnet", "ip", "-o", "-4", "addr").stdout
    netlab.kubectl("delete", "pod", "hostnet", "--wait=true", "--timeout=60s")


def test_pods_get_the_kubelets_resolv_conf_and_hosts(netlab):
    netlab.kubectl("create", "namespace", "dnsns")
    p = sleeper("dns-a", "node1", hostname="db-0", subdomain="db",
                hostAliases=[{"ip": "10.1.2.3", "hostnames": ["foo.local", "bar.local"]}])
    p["metadata"]["namespace"] = "dnsns"
    netlab.apply(p)
    none = sleeper("dns-none", "node2", dnsPolicy="None",
                   dnsConfig={"nameservers": ["192.0.2.53"], "searches": ["corp.example"], "options": [{"name": "ndots", "value": "2"}]})
    none["metadata"]["namespace"] = "dnsns"
    netlab.apply(none)
    ip = netlab.running("dns-a", ns="dnsns")["status"]["podIP"]
    netlab.running("dns-none", ns="dnsns")
    resolv = netlab.exec("dns-a", "cat", "/etc/resolv.conf", ns="dnsns").stdout.splitlines()
    assert resolv[0].startswith("search dnsns.svc.cluster.local svc.cluster.local cluster.local"), resolv
    assert resolv[1:] == ["nameserver 10.43.0.10", "options ndots:5"], resolv
    hosts = netlab.exec("dns-a", "cat", "/etc/hosts", ns="dnsns").stdout
    assert hosts.startswith("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n"), hosts
    assert f"{ip}\tdb-0.db.dnsns.svc.cluster.local\tdb-0\n" in hosts, hosts
    assert hosts.endswith("# Entries added by HostAliases.\n10.1.2.3\tfoo.local\n10.1.2.3\tbar.local\n"), hosts
    assert netlab.exec("dns-none", "cat", "/etc/resolv.conf", ns="dnsns").stdout == \
        "search corp.example\nnameserver 192.0.2.53\noptions ndots:2\n"
    netlab.kubectl("delete", "namespace", "dnsns", "--wait=true", "--timeout=90s")


def ticks(netlab):
    return netlab.kubectl("logs", "ticker", check=False).stdout.count("tick")


def test_addresses_and_connections_survive_an_agent_kill_and_are_never_handed_out_twice(netlab):
    web = netlab.pods["web-node3"]
    ip = web["status"]["podIP"]
    # An established connection from node2 into node3: nc -l serves exactly one, so it must not break.
    # (busybox nc ends at EOF on its stdin, hence the sleep feeding it.)
    netlab.apply(pod("ticker", "node3", image="busybox", command=["sh", "-c", "sleep 100000 | nc -l -p 9000"]))
    ticker_ip = netlab.running("ticker")["status"]["podIP"]
    netlab.apply(pod("talker", "node2", image="busybox", command=["sh", "-c", f"sleep 2; while true; do echo tick; sleep 0.2; done | nc {ticker_ip} 9000"]))
    netlab.running("talker")
    wait_for(lambda: ticks(netlab) > 3, 30, "ticks over the connection", show=lambda: netlab.kubectl("get", "pods", "-o", "wide").stdout)
    pid = int(open(os.path.join(netlab.lab.dir, "node3.pid")).read())
    os.kill(pid, signal.SIGKILL)
    time.sleep(1)
    # While the agent is down the pod keeps serving (its interface does not depend on the agent).
    assert HELLO in fetch(netlab, "client-node2", ip).stdout
    netlab.join("node3")
    time.sleep(2)
    again = netlab.running("web-node3")
    assert again["status"]["podIP"] == ip and again["metadata"]["uid"] == web["metadata"]["uid"]
    assert f"inet {ip}/24" in netlab.exec("web-node3", "ip", "-o", "-4", "addr", "show", "eth0").stdout
    assert HELLO in fetch(netlab, "client-node2", ip).stdout
    before = ticks(netlab)
    wait_for(lambda: ticks(netlab) > before + 5, 20, "ticks still flowing after the restart")
    for name in ("ticker", "talker"):
        status = netlab.json("get", "pod", name)["status"]["containerStatuses"][0]
        assert status["restartCount"] == 0 and "running" in status["state"], (name, status)
    # New pods on the restarted node get addresses nobody holds.
    for i in range(3):
        netlab.apply(sleeper(f"after-{i}", "node3"))
    ips = [netlab.running(f"after-{i}")["status"]["podIP"] for i in range(3)]
    assert len(set(ips + [ip])) == 4, (ips, ip)
    assert "error" not in netlab.log("node3").lower(), netlab.log("node3")
    for i in range(3):
        netlab.kubectl("delete", "pod", f"after-{i}", "--wait=false")


def test_deleting_the_pods_leaves_nothing_on_the_nodes(netlab):
    netlab.kubectl("delete", "pods", "--all", "--wait=true", "--timeout=90s")
    for node in NODES:
        def clean():
            links = netlab.node_links(node)
            ipam = [f for _, _, fs in os.walk(os.path.join(netlab.node_dir(node), "network", "ipam")) for f in fs]
            pods = os.listdir(os.path.join(netlab.node_dir(node), "pods"))
            return (not [l for l in links if l.startswith("edgev")] and ipam == ["last_reserved_ip.0"] and pods == []) or None
        wait_for(clean, 30, f"{node} without pod interfaces, addresses or directories",
                 show=lambda: (netlab.node_links(node), list(os.walk(os.path.join(netlab.node_dir(node), "network")))))


# ---------------------------------------------------------------------------------------------
# CNI plugins (--flannel-backend none)

SPY = r"""#!/usr/bin/env python3
# A CNI plugin that records each call and hands the previous result on (ADD), as a chained plugin does.
import json, os, sys
conf = json.load(sys.stdin)
args = dict(kv.split("=", 1) for kv in os.environ.get("CNI_ARGS", "").split(";") if "=" in kv)
with open(os.environ.get("SPY_LOG", "LOGFILE"), "a") as f:
    f.write(f"{os.environ['CNI_COMMAND']} {args.get('K8S_POD_NAME', '-')} {os.environ['CNI_IFNAME']} prev={'prevResult' in conf}\n")
if os.environ["CNI_COMMAND"] == "ADD":
    print(json.dumps(conf["prevResult"]))
elif os.environ["CNI_COMMAND"] == "VERSION":
    print(json.dumps({"cniVersion": "1.0.0", "supportedVersions": ["0.4.0", "1.0.0"]}))
"""


@pytest.fixture(scope="module")
def cnilab(images):
    d = tempfile.mkdtemp(prefix="np-cni-")
    spy_bin = os.path.join(d, "bin")
    os.makedirs(spy_bin)
    log = os.path.join(d, "spy.log")
    with open(os.path.join(spy_bin, "spy"), "w") as f:
        f.write(SPY.replace("LOGFILE", log))
    os.chmod(os.path.join(spy_bin, "spy"), 0o755)
    for k, node in enumerate(NODES, start=1):
        conf = os.path.join(d, f"{node}-cni")
        os.makedirs(conf)
        json.dump({"cniVersion": "1.0.0", "name": "e2e-cni", "plugins": [
            {"type": "bridge", "bridge": "cni-e2e0", "isGateway": True, "ipMasq": False,
             "ipam": {"type": "host-local", "ranges": [[{"subnet": f"10.88.{k}.0/24"}]], "dataDir": os.path.join(d, f"{node}-ipam"),
                      "routes": [{"dst": "0.0.0.0/0"}]}},
            {"type": "spy"},
            {"type": "portmap", "capabilities": {"portMappings": True}, "snat": True}]}, open(os.path.join(conf, "10-e2e.conflist"), "w"))

    def join_args(node):
        return ["--cni-conf-dir", os.path.join(d, f"{node}-cni"), "--cni-bin-dir", f"{spy_bin}:/usr/lib/cni"]
    n = NetLab("cn", images, server_args=["--flannel-backend", "none"], join_args=join_args)
    n.spy_log, n.cni_dir = log, d
    try:
        yield n
    finally:
        n.down()
        shutil.rmtree(d, ignore_errors=True)


def spy_calls(netlab):
    try:
        return open(netlab.spy_log).read().splitlines()
    except OSError:
        return []


def test_cni_plugins_connect_pods_and_map_host_ports(cnilab):
    for node in NODES:
        cond = {c["type"]: c for c in cnilab.json("get", "node", node)["status"]["conditions"]}
        assert cond["Ready"]["status"] == "True", cond
        assert "NetworkUnavailable" not in cond, "a CNI network's condition is its own business"
        assert "edge0" not in cnilab.node_links(node) and "edge.1" not in cnilab.node_links(node)
    web = pod("cni-web", "node1")
    web["spec"]["containers"][0]["ports"] = [{"containerPort": 8080, "hostPort": 18080}]
    cnilab.apply(web)
    cnilab.apply(sleeper("cni-client", "node1"))
    ip = cnilab.running("cni-web")["status"]["podIP"]
    assert ip.startswith("10.88.1.") and ip != "10.88.1.1", ip
    assert os.path.exists(os.path.join(cnilab.cni_dir, "node1-ipam", "e2e-cni", ip)), "host-local holds the address"
    client_ip = cnilab.running("cni-client")["status"]["podIP"]
    assert client_ip.startswith("10.88.1.") and client_ip != ip
    assert HELLO in fetch(cnilab, "cni-client", ip).stdout
    # portmap's DNAT: the hostPort answers on node1's address, from another machine of the lab.
    r = cnilab.lab.run("node2", "python3", "-c", "import urllib.request,sys; print(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode())",
                       f"http://{node_ip('node1')}:18080/")
    assert HELLO in r.stdout, (r.stdout, r.stderr)
    calls = spy_calls(cnilab)
    assert "ADD cni-web eth0 prev=True" in calls and "ADD cni-client eth0 prev=True" in calls, calls


def test_cni_check_after_a_restart_and_del_on_deletion(cnilab):
    ip = cnilab.running("cni-web")["status"]["podIP"]
    pid = int(open(os.path.join(cnilab.lab.dir, "node1.pid")).read())
    os.kill(pid, signal.SIGKILL)
    time.sleep(1)
    cnilab.join("node1")
    wait_for(lambda: "CHECK cni-web eth0 prev=True" in spy_calls(cnilab), 30, "CHECK of the adopted pod", show=lambda: spy_calls(cnilab))
    assert cnilab.running("cni-web")["status"]["podIP"] == ip
    assert not [c for c in spy_calls(cnilab) if c.startswith("ADD cni-web")][1:], "set up once, never again after the restart"
    cnilab.kubectl("delete", "pod", "cni-web", "cni-client", "--wait=true", "--timeout=60s")
    calls = spy_calls(cnilab)
    assert "DEL cni-web eth0 prev=True" in calls and "DEL cni-client eth0 prev=True" in calls, calls
    assert not os.path.exists(os.path.join(cnilab.cni_dir, "node1-ipam", "e2e-cni", ip)), "host-local released the address"
    links = cnilab.node_links("node1")
    assert not [l for l in links if l.startswith("veth") or l.startswith("edgev")], links
