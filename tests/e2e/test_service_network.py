"""Services on a lab cluster (scripts/lab): the agents' service proxy and
cluster DNS run in their node namespaces. Until the pod network lands, the
"pods" here are network namespaces this test makes (a veth per pod, all inside
lab namespaces) serving busybox httpd, behind Services with hand-made
EndpointSlices: every shape of Service can be made without a controller. Root only.

These "pods" sit on the pod network's own bridge (edge0) at addresses its IPAM
does not reach in this test (.202, .203 of each node's range), so the routes
between nodes are the pod network's (vxlan).

Covered: ClusterIP spread over backends on both nodes, hairpin, NodePort and
LoadBalancer (servicelb) from a client outside the cluster, pod and service
traffic on nodes whose iptables FORWARD policy is DROP (as Docker sets it), an endpoint leaving
rotation within 2 s, no endpoints refused at once, rules deleted by hand coming
back within the sync period, an established connection surviving an agent
kill -9 and restart, cluster DNS (A, SRV, PTR, headless, NXDOMAIN, forwarding
to a dnsmasq on a lab address), and nothing of edgectl left behind."""
import json
import os
import shutil
import subprocess
import tempfile
import time

import pytest

import root_namespace
from conftest import wait_for
from lab import Lab, SERVER_IP, node_ip, unavailable

why = unavailable() or (None if shutil.which("busybox") else "needs busybox") or (None if shutil.which("curl") else "needs curl") or (None if shutil.which("dig") else "needs dig (dnsutils)") \
    or (None if shutil.which("dnsmasq") else "needs dnsmasq")
# Root-only: it fails (not skips) as root when a tool is missing, and skips only without root.
pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the lab needs root (network namespaces)")

SYNC = 2  # --iptables-sync-period of the agents, seconds
DNS_IP = "10.43.0.10"
# node -> the first three octets of its pod range (spec.podCIDR, filled in by the fixture)
NODES = {"node1": "", "node2": ""}
BRIDGE = "edge0"  # the pod network's bridge on each node


@pytest.fixture(scope="module")
def cluster():
    assert why is None, why  # root-only suites fail, not skip, when they cannot run
    d = tempfile.mkdtemp(prefix="edgelab-svc-")
    lab = Lab(f"edgesvc{os.getpid() % 100000}", os.path.join(d, "lab"))
    extra = []
    try:
        lab.up(nodes=2)
        # The nodes' upstream resolver: a dnsmasq on the server's lab address.
        resolv = os.path.join(d, "resolv.conf")
        with open(resolv, "w") as f:
            f.write(f"nameserver 127.0.0.53\nnameserver {SERVER_IP}\n")
        dnsmasq = subprocess.Popen(["ip", "netns", "exec", f"{lab.prefix}-server", "dnsmasq", "--no-daemon", "--no-resolv", "--no-hosts",
                                    f"--listen-address={SERVER_IP}", "--bind-interfaces", "--address=/outside.test/192.0.2.99",
                                    f"--pid-file={d}/dnsmasq.pid"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        extra.append(dnsmasq)
        for node in NODES:
            lab.script("join", node, "--iptables-sync-period", f"{SYNC}s", "--resolv-conf", resolv)
            # A node's own connections to a cluster IP need a route out before the DNAT (as on any host: its gateway).
            lab.run(node, "ip", "route", "add", "default", "via", SERVER_IP, check=True)
            # The pod network's range and bridge on this node (its IPAM hands out addresses from the bottom).
            cidr = wait_for(lambda: lab.kubectl("get", "node", node, "-o", "jsonpath={.spec.podCIDR}").stdout.strip(), 20, f"{node}'s podCIDR")
            NODES[node] = cidr.rsplit(".", 1)[0]
            wait_for(lambda: lab.run(node, "ip", "link", "show", BRIDGE).returncode == 0, 20, f"{node}'s pod bridge")
        pods = {}
        for name, node, host in [("ep1", "node1", 202), ("cl1", "node1", 203), ("ep2", "node2", 202), ("ep3", "node2", 203)]:
            pods[name] = add_pod(lab, node, name, f"{NODES[node]}.{host}", d)
        yield lab, pods, d
    finally:
        for p in extra:
            p.kill()
            p.wait()
        for name in ["ep1", "cl1", "ep2", "ep3"]:
            subprocess.run(["ip", "netns", "pids", f"{lab.prefix}-{name}"], capture_output=True)
            pids = subprocess.run(["ip", "netns", "pids", f"{lab.prefix}-{name}"], capture_output=True, text=True).stdout.split()
            for pid in pids:
                subprocess.run(["kill", "-9", pid])
            subprocess.run(["ip", "netns", "del", f"{lab.prefix}-{name}"], capture_output=True)
        lab.tear_down(d)
        root_rules = subprocess.run(["iptables-save"], capture_output=True, text=True).stdout
        assert "EDGE-" not in root_rules, "the root namespace must never get edgectl's chains"
        assert not root_namespace.nft_table_present(), "the root namespace must never get edgectl's nftables table"


def add_pod(lab, node, name, ip, d):
    """A pod-like namespace on node's test bridge, serving its name over HTTP on 8080 and echoing on 9000."""
    ns = f"{lab.prefix}-{name}"
    subprocess.run(["ip", "netns", "add", ns], check=True)
    subprocess.run(["ip", "-n", ns, "link", "set", "lo", "up"], check=True)
    lab.run(node, "ip", "link", "add", f"v-{name}", "type", "veth", "peer", "name", "eth0", "netns", ns, check=True)
    lab.run(node, "ip", "link", "set", f"v-{name}", "mtu", "1400", "master", BRIDGE, "up", check=True)
    subprocess.run(["ip", "-n", ns, "link", "set", "eth0", "mtu", "1400"], check=True)  # under the vxlan's
    # With br_netfilter loaded, a pod reaching itself through a service leaves by the port it came in on (flannel's hairpinMode).
    lab.run(node, "ip", "link", "set", f"v-{name}", "type", "bridge_slave", "hairpin", "on", check=True)
    subprocess.run(["ip", "-n", ns, "addr", "add", f"{ip}/24", "dev", "eth0"], check=True)
    subprocess.run(["ip", "-n", ns, "link", "set", "eth0", "up"], check=True)
    subprocess.run(["ip", "-n", ns, "route", "add", "default", "via", ip.rsplit(".", 1)[0] + ".1"], check=True)
    www = os.path.join(d, "www-" + name)
    os.makedirs(www, exist_ok=True)
    with open(os.path.join(www, "index.html"), "w") as f:
        f.write(name + "\n")
    subprocess.Popen(["ip", "netns", "exec", ns, "busybox", "httpd", "-f", "-p", "8080", "-h", www],
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    echo = ("import socket,threading\ns=socket.socket();s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1);s.bind(('0.0.0.0',9000));s.listen()\n"
            "def h(c):\n  while True:\n    b=c.recv(100)\n    if not b: break\n    c.sendall(b)\n"
            "while True:\n  c,_=s.accept();threading.Thread(target=h,args=(c,),daemon=True).start()\n")
    subprocess.Popen(["ip", "netns", "exec", ns, "python3", "-c", echo], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # UDP on 5353: answers every datagram with the pod's name.
    udp = (f"import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);s.bind(('0.0.0.0',5353))\n"
           f"while True:\n  b,a=s.recvfrom(100);s.sendto(b'{name}',a)\n")
    subprocess.Popen(["ip", "netns", "exec", ns, "python3", "-c", udp], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return ip


def in_ns(lab, name, *argv, timeout=30):
    return subprocess.run(["ip", "netns", "exec", f"{lab.prefix}-{name}", *argv], capture_output=True, text=True, timeout=timeout)


def wget(lab, where, url, timeout=3):
    # curl: Debian's static busybox wget crashes outside a container (its resolver needs NSS).
    r = in_ns(lab, where, "curl", "-sS", "-m", str(timeout), url, timeout=timeout + 10)
    return r.stdout.strip() if r.returncode == 0 else None


def kubectl_in(lab, *args, input=None):
    from conftest import KUBECTL
    r = subprocess.run(["ip", "netns", "exec", f"{lab.prefix}-server", KUBECTL, "--kubeconfig", lab.kubeconfig, *args],
                       capture_output=True, text=True, input=input, timeout=60)
    assert r.returncode == 0, f"kubectl {' '.join(args)}: {r.stderr}"
    return r.stdout


def kapply(lab, obj):
    kubectl_in(lab, "apply", "-f", "-", input=json.dumps(obj))


def slice_for(service, endpoints, port=8080, name="web-test", port_name="http", proto="TCP"):
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": name, "namespace": "default", "labels": {"kubernetes.io/service-name": service}},
            "addressType": "IPv4", "ports": [{"name": port_name, "port": port, "protocol": proto}],
            "endpoints": [{"addresses": [ip], "nodeName": node, "conditions": {"ready": True}} for ip, node in endpoints]}


def service(name, type_="ClusterIP", ports=None, **spec):
    s = {"type": type_, "ports": ports or [{"name": "http", "port": 80, "targetPort": 8080}]}
    s.update(spec)
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "default"}, "spec": s}


def cluster_ip(lab, name):
    return json.loads(kubectl_in(lab, "get", "svc", name, "-o", "json"))["spec"]["clusterIP"]


def diag(lab, where="cl1", url=None):
    """What a failed wait shows: the client's error, node1's NAT rules and the agents' logs."""
    out = ""
    if url:
        r = in_ns(lab, where, "curl", "-sS", "-m", "2", url)
        out += f"curl {url} from {where}: rc={r.returncode} {r.stderr.strip()}\n"
    out += lab.proxy_rules("node1")[-4000:]
    for node in NODES:
        try:
            out += f"\n--- {node}.log\n" + open(os.path.join(lab.dir, f"{node}.log")).read()[-1500:]
        except OSError:
            pass
    return out


def seen(lab, where, url, n):
    return [wget(lab, where, url) for _ in range(n)]


def test_cluster_ip_spreads_over_both_nodes_and_hairpins(cluster):
    lab, pods, _ = cluster
    kapply(lab, service("web"))
    kapply(lab, slice_for("web", [(pods["ep1"], "node1"), (pods["ep2"], "node2"), (pods["ep3"], "node2")]))
    cip = cluster_ip(lab, "web")
    wait_for(lambda: wget(lab, "cl1", f"http://{cip}/") is not None, 20, "the cluster IP to answer",
             show=lambda: diag(lab, "cl1", f"http://{cip}/"))
    got = seen(lab, "cl1", f"http://{cip}/", 60)
    assert None not in got, got
    assert set(got) == {"ep1", "ep2", "ep3"}, got
    # The node itself (hostNetwork clients) reaches it too.
    assert lab.run("node2", "curl", "-sS", "-m", "3", f"http://{cip}/").stdout.strip() in {"ep1", "ep2", "ep3"}
    # A backend reaching itself through its own service (hairpin).
    assert set(seen(lab, "ep1", f"http://{cip}/", 30)) >= {"ep1"}


def test_no_endpoints_is_refused_at_once_and_a_removed_endpoint_leaves_within_2s(cluster):
    lab, pods, _ = cluster
    kapply(lab, service("gone"))
    cip = cluster_ip(lab, "gone")
    wait_for(lambda: lab.proxy_rejects("node1", cip), 10, "the reject rule", show=lambda: lab.proxy_rules("node1"))
    t0 = time.time()
    r = in_ns(lab, "cl1", "python3", "-c", "import socket,sys; socket.create_connection((sys.argv[1], 80), timeout=5)", cip)
    assert r.returncode != 0 and time.time() - t0 < 1.5, (r.stderr, time.time() - t0)
    assert "ConnectionRefusedError" in r.stderr, r.stderr
    kapply(lab, slice_for("gone", [(pods["ep1"], "node1"), (pods["ep2"], "node2")], name="gone-test"))
    wait_for(lambda: wget(lab, "cl1", f"http://{cip}/") is not None, 10, "endpoints in rotation")
    kapply(lab, slice_for("gone", [(pods["ep1"], "node1")], name="gone-test"))
    t0 = time.time()
    time.sleep(2)
    got = seen(lab, "cl1", f"http://{cip}/", 20)
    assert got == ["ep1"] * 20, (got, time.time() - t0)


def test_node_port_and_load_balancer_answer_on_every_node_from_outside(cluster):
    lab, pods, _ = cluster
    kapply(lab, service("edge", "LoadBalancer"))
    kapply(lab, slice_for("edge", [(pods["ep1"], "node1"), (pods["ep2"], "node2")], name="edge-test"))
    svc = wait_for(lambda: (lambda s: s if s.get("status", {}).get("loadBalancer", {}).get("ingress") else None)(
        json.loads(kubectl_in(lab, "get", "svc", "edge", "-o", "json"))), 20, "load-balancer ingress")
    assert [i["ip"] for i in svc["status"]["loadBalancer"]["ingress"]] == [node_ip("node1"), node_ip("node2")]
    np = svc["spec"]["ports"][0]["nodePort"]
    assert 30000 <= np <= 32767
    for node in NODES:
        # The server namespace is outside the cluster (no agent, no routes to pods).
        wait_for(lambda: wget(lab, "server", f"http://{node_ip(node)}:{np}/") in {"ep1", "ep2"}, 15, f"node port on {node}")
        wait_for(lambda: wget(lab, "server", f"http://{node_ip(node)}:80/") in {"ep1", "ep2"}, 15, f"load balancer on {node}")


def test_a_host_forward_policy_of_drop_still_passes_pod_and_service_traffic(cluster):
    """Docker sets iptables' FORWARD policy to DROP: pods on the same node (bridged, so filtered
    through br_netfilter), on another node and behind a cluster IP stay reachable, because the agent
    accepts the cluster's traffic in its own chain EDGE-FORWARD with a jump from FORWARD (in the
    nftables mode too: an accept in its own nftables table cannot overrule iptables' drop)."""
    from lab import PROXY_MODE
    lab, pods, _ = cluster
    kapply(lab, service("fwd"))
    kapply(lab, slice_for("fwd", [(pods["ep2"], "node2")], name="fwd-test"))
    cip = cluster_ip(lab, "fwd")
    wait_for(lambda: wget(lab, "cl1", f"http://{cip}/") == "ep2", 15, "the service to answer", show=lambda: diag(lab, "cl1", f"http://{cip}/"))
    if PROXY_MODE == "nftables":
        assert "EDGE-" not in lab.run("node1", "iptables-save", "-t", "filter").stdout, "a host that forwards gets nothing in iptables"
    try:
        for node in NODES:
            lab.run(node, "iptables", "-w", "5", "-P", "FORWARD", "DROP", check=True)
        # The agents see it at their next sync (every SYNC seconds).
        for url, want in ((f"http://{pods['ep1']}:8080/", "ep1"), (f"http://{pods['ep2']}:8080/", "ep2"), (f"http://{cip}/", "ep2")):
            wait_for(lambda: wget(lab, "cl1", url, timeout=1) == want, SYNC * 3 + 5, f"{url} with FORWARD policy DROP",
                     show=lambda: diag(lab, "cl1", url) + lab.run("node1", "iptables-save", "-t", "filter").stdout)
        for node in NODES:
            forward = lab.run(node, "iptables", "-w", "5", "-S", "FORWARD", check=True).stdout.splitlines()
            assert forward[:2] == ["-P FORWARD DROP", '-A FORWARD -m comment --comment "edgectl forwarding rules" -j EDGE-FORWARD'], forward
    finally:
        for node in NODES:
            lab.run(node, "iptables", "-w", "5", "-P", "FORWARD", "ACCEPT")


def test_rules_deleted_by_hand_come_back_within_the_sync_period(cluster):
    lab, pods, _ = cluster
    kapply(lab, service("heal"))
    kapply(lab, slice_for("heal", [(pods["ep2"], "node2")], name="heal-test"))
    cip = cluster_ip(lab, "heal")
    wait_for(lambda: wget(lab, "cl1", f"http://{cip}/") == "ep2", 15, "the service to answer")
    log = os.path.join(lab.dir, "node1.log")
    repairs = lambda: open(log).read().count("proxy rules changed outside edgectl")
    before = repairs()
    lab.break_proxy_rules("node1")
    # Broken by hand, unless a sync tick (every SYNC seconds) repaired it in between: its log line says so.
    assert wget(lab, "cl1", f"http://{cip}/", timeout=1) is None or repairs() > before, "broken by hand"
    t0 = time.time()
    wait_for(lambda: wget(lab, "cl1", f"http://{cip}/", timeout=1) == "ep2", SYNC * 3 + 5, "the repair")
    assert time.time() - t0 < SYNC * 3 + 5
    wait_for(lambda: repairs() > before, 5, "the agent's log of the repair", show=lambda: open(log).read()[-2000:])


def test_established_connections_survive_an_agent_kill_and_restart(cluster):
    lab, pods, d = cluster
    kapply(lab, service("echo", ports=[{"name": "echo", "port": 9000, "targetPort": 9000}]))
    kapply(lab, slice_for("echo", [(pods["ep2"], "node2")], port=9000, name="echo-test", port_name="echo"))
    cip = cluster_ip(lab, "echo")
    client = ("import socket,sys\nc=socket.create_connection((sys.argv[1],9000),timeout=5)\n"
              "for line in sys.stdin:\n  c.sendall(line.strip().encode());print(c.recv(100).decode(),flush=True)\n")
    wait_for(lambda: in_ns(lab, "cl1", "python3", "-c", "import socket,sys;socket.create_connection((sys.argv[1],9000),timeout=2)", cip).returncode == 0,
             15, "the echo service")
    p = subprocess.Popen(["ip", "netns", "exec", f"{lab.prefix}-cl1", "python3", "-c", client, cip], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True)
    try:
        p.stdin.write("one\n"); p.stdin.flush()
        assert p.stdout.readline().strip() == "one"
        pid = int(open(os.path.join(lab.dir, "node1.pid")).read())
        os.kill(pid, 9)
        wait_for(lambda: not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split()[2] == "Z", 10, "the agent gone")
        p.stdin.write("two\n"); p.stdin.flush()
        assert p.stdout.readline().strip() == "two", "rules stay while the agent is gone"
        lab.script("join", "node1", "--iptables-sync-period", f"{SYNC}s", "--resolv-conf", os.path.join(d, "resolv.conf"))
        time.sleep(SYNC + 1)
        p.stdin.write("three\n"); p.stdin.flush()
        assert p.stdout.readline().strip() == "three", "a restarted agent's full sync keeps established flows"
    finally:
        p.kill()
        p.wait()


def dig(lab, where, *args):
    r = in_ns(lab, where, "dig", f"@{DNS_IP}", "+time=2", "+tries=2", *args, timeout=20)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def test_cluster_dns_answers_from_the_pods_own_node_and_forwards_the_rest(cluster):
    lab, pods, _ = cluster
    dns = json.loads(kubectl_in(lab, "get", "svc", "-n", "kube-system", "kube-dns", "-o", "json"))
    assert dns["spec"]["clusterIP"] == DNS_IP and dns["metadata"]["labels"]["k8s-app"] == "kube-dns"
    kapply(lab, service("named", ports=[{"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"}]))
    kapply(lab, slice_for("named", [(pods["ep1"], "node1")], name="named-test"))
    kapply(lab, service("db", clusterIP="None"))
    db = slice_for("db", [(pods["ep2"], "node2"), (pods["ep3"], "node2")], name="db-test")
    db["endpoints"][0]["hostname"] = "db-0"
    kapply(lab, db)
    cip = cluster_ip(lab, "named")
    wait_for(lambda: cip in in_ns(lab, "cl1", "dig", f"@{DNS_IP}", "+short", "+time=1", "+tries=1", "named.default.svc.cluster.local").stdout,
             20, "the A record")
    assert dig(lab, "cl1", "+short", "_http._tcp.named.default.svc.cluster.local", "SRV").split() == ["0", "100", "80", "named.default.svc.cluster.local."]
    assert dig(lab, "cl1", "+short", "-x", cip).strip() == "named.default.svc.cluster.local."
    assert sorted(dig(lab, "cl1", "+short", "db.default.svc.cluster.local").split()) == sorted([pods["ep2"], pods["ep3"]])
    assert dig(lab, "cl1", "+short", "db-0.db.default.svc.cluster.local").strip() == pods["ep2"]
    assert "status: NXDOMAIN" in dig(lab, "cl1", "missing.default.svc.cluster.local")
    # Outside names go to the node's upstream (the dnsmasq on the server's lab address).
    assert dig(lab, "cl1", "+short", "www.outside.test").strip() == "192.0.2.99"
    assert dig(lab, "ep2", "+short", "+tcp", "www.outside.test").strip() == "192.0.2.99", "over TCP, from node2's own DNS"
    # ExternalName: the CNAME, and its target resolved upstream in the same answer (as CoreDNS).
    kapply(lab, {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "ext", "namespace": "default"},
                 "spec": {"type": "ExternalName", "externalName": "www.outside.test"}})
    wait_for(lambda: "www.outside.test." in in_ns(lab, "cl1", "dig", f"@{DNS_IP}", "+short", "+time=1", "+tries=1", "ext.default.svc.cluster.local").stdout,
             10, "the ExternalName")
    assert dig(lab, "cl1", "+short", "ext.default.svc.cluster.local").split() == ["www.outside.test.", "192.0.2.99"]
    # Each node answers its own pods: node1's listener sees cl1's query, node2's ep2's.
    for node in NODES:
        assert f"{node_ip(node)}:10053" in lab.run(node, "ss", "-lun").stdout


def test_udp_flows_to_a_removed_endpoint_are_flushed(cluster):
    """A UDP client keeps its source port; without a conntrack flush its flow would stick
    to the removed endpoint until the entry times out."""
    lab, pods, _ = cluster
    kapply(lab, service("udp", ports=[{"name": "u", "port": 53, "targetPort": 5353, "protocol": "UDP"}]))
    kapply(lab, slice_for("udp", [(pods["ep1"], "node1")], port=5353, name="udp-test", port_name="u", proto="UDP"))
    cip = cluster_ip(lab, "udp")
    client = ("import socket,sys,time\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);s.bind(('0.0.0.0',40000));s.settimeout(1)\n"
              "for line in sys.stdin:\n  s.sendto(b'x',(sys.argv[1],53))\n  try: print(s.recvfrom(100)[0].decode(),flush=True)\n"
              "  except socket.timeout: print('timeout',flush=True)\n")
    p = subprocess.Popen(["ip", "netns", "exec", f"{lab.prefix}-cl1", "python3", "-c", client, cip], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True)
    def ask():
        p.stdin.write("\n"); p.stdin.flush()
        return p.stdout.readline().strip()
    try:
        wait_for(lambda: ask() == "ep1", 15, "the UDP service through ep1")
        kapply(lab, slice_for("udp", [(pods["ep2"], "node2")], port=5353, name="udp-test", port_name="u", proto="UDP"))
        wait_for(lambda: ask() == "ep2", 5, "the same client flow moved to ep2 (stale conntrack entry flushed)")
    finally:
        p.kill()
        p.wait()
