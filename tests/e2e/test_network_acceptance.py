"""Issue 10's acceptance with real pods on a 3-node lab (scripts/lab): a
3-replica Deployment spread over the nodes behind a ClusterIP Service, reached
100 times out of 100 by name from a pod on node1 and from every backend; the
NodePort and the LoadBalancer address answering on every node from a client
namespace outside the cluster; a deleted pod out of rotation within 2 s;
scaled to 0, refused at once; DNS A, SRV, PTR and headless answers and an
outside name forwarded to a dnsmasq on a lab address; kubectl port-forward
carrying an HTTP request; nothing of edgectl left after teardown.

Needs the pod network (pods with IPs routed between nodes, branch net-pod):
without it pods get no IP and the suite is an expected failure, saying so.
Root only."""
import json
import os
import shutil
import subprocess
import tempfile
import time

import pytest

import root_namespace
from conftest import EDGECTL, KUBECTL, free_port, wait_for
from lab import Lab, SERVER_IP, node_ip

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the lab needs root (network namespaces)")
NODES = ["node1", "node2", "node3"]
DNS_IP = "10.43.0.10"


class Cluster:
    def __init__(self, lab, d):
        self.lab, self.dir = lab, d

    def kubectl(self, *args, input=None, check=True, timeout=90):
        r = subprocess.run(["ip", "netns", "exec", f"{self.lab.prefix}-server", KUBECTL, "--kubeconfig", self.lab.kubeconfig, *args],
                           capture_output=True, text=True, input=input, timeout=timeout)
        if check:
            assert r.returncode == 0, f"kubectl {' '.join(args)}: {r.stdout}\n{r.stderr}"
        return r

    def apply(self, obj):
        self.kubectl("apply", "-f", "-", input=json.dumps(obj))

    def json(self, *args):
        return json.loads(self.kubectl(*args, "-o", "json").stdout)

    def sh(self, pod, script, check=True, timeout=120):
        return self.kubectl("exec", pod, "--", "sh", "-c", script, check=check, timeout=timeout)


@pytest.fixture(scope="module")
def cluster():
    for tool in ("dnsmasq", "curl"):
        assert shutil.which(tool), f"{tool} is needed (scripts/install-deps)"
    d = tempfile.mkdtemp(prefix="edgelab-acc-")
    lab = Lab(f"edgeacc{os.getpid() % 100000}", os.path.join(d, "lab"))
    dnsmasq = None
    try:
        lab.up(nodes=3)
        resolv = os.path.join(d, "resolv.conf")
        with open(resolv, "w") as f:
            f.write(f"nameserver {SERVER_IP}\n")
        dnsmasq = subprocess.Popen(["ip", "netns", "exec", f"{lab.prefix}-server", "dnsmasq", "--no-daemon", "--no-resolv", "--no-hosts",
                                    f"--listen-address={SERVER_IP}", "--bind-interfaces", "--address=/outside.test/192.0.2.99"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        built = os.path.join(d, "images")
        subprocess.run(["bash", os.path.join(os.path.dirname(__file__), "..", "..", "images", "build"), built], check=True, capture_output=True)
        for node in NODES:
            lab.script("join", node, "--iptables-sync-period", "2s", "--resolv-conf", resolv)
            # Nodes of a home lab have a gateway; their own connections to cluster IPs route out before the DNAT.
            lab.run(node, "ip", "route", "add", "default", "via", SERVER_IP, check=True)
            for image in ("busybox", "pause"):
                lab.run(node, EDGECTL, "images", "import", "--data-dir", os.path.join(lab.dir, node), os.path.join(built, image), check=True)
        c = Cluster(lab, d)
        c.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "client"},
                 "spec": {"nodeSelector": {"kubernetes.io/hostname": "node1"}, "terminationGracePeriodSeconds": 1,
                          "containers": [{"name": "c", "image": "localhost/busybox:latest", "imagePullPolicy": "Never",
                                          "command": ["sleep", "3600"]}]}})
        wait_for(lambda: c.json("get", "pod", "client")["status"].get("phase") == "Running", 90, "the client pod")
        assert c.json("get", "pod", "client")["status"].get("podIP"), "the client pod has no IP: the pod network is not up"
        yield c
    finally:
        if dnsmasq:
            dnsmasq.kill()
            dnsmasq.wait()
        lab.tear_down(d)
        assert "EDGE-" not in subprocess.run(["iptables-save"], capture_output=True, text=True).stdout, "edgectl chains in the root namespace"
        assert not root_namespace.nft_table_present(), "edgectl's nftables table in the root namespace"


def web(replicas):
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}}, "spec": {
                         "terminationGracePeriodSeconds": 1,
                         "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "kubernetes.io/hostname", "whenUnsatisfiable": "DoNotSchedule",
                                                        "labelSelector": {"matchLabels": {"app": "web"}}}],
                         "containers": [{"name": "httpd", "image": "localhost/busybox:latest", "imagePullPolicy": "Never",
                                         "command": ["sh", "-c", "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www"],
                                         "ports": [{"name": "http", "containerPort": 8080}],
                                         "readinessProbe": {"tcpSocket": {"port": 8080}, "periodSeconds": 1}}]}}}}


@pytest.fixture(scope="module")
def service(cluster):
    c = cluster
    c.apply(web(3))
    c.apply({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
             "spec": {"type": "LoadBalancer", "selector": {"app": "web"}, "ports": [{"name": "http", "port": 80, "targetPort": "http"}]}})
    c.kubectl("rollout", "status", "deployment/web", "--timeout=120s", timeout=130)
    pods = c.json("get", "pods", "-l", "app=web")["items"]
    assert sorted(p["spec"]["nodeName"] for p in pods) == NODES, "one backend per node"
    return c


def loop(c, host, n, pod="client"):
    """n HTTP requests from `pod` to host:80, each answer's body (the backend's hostname) or FAIL.
    busybox nc, not wget: Debian's static busybox 1.35 wget crashes (SIGSEGV) before it sends anything."""
    script = (f"for i in $(seq {n}); do r=$(printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 {host} 80 | tail -n 1); "
              "[ -n \"$r\" ] && echo \"$r\" || echo FAIL; done")
    return c.sh(pod, script).stdout.split()


def test_a_pod_reaches_all_three_backends_by_name_100_times_out_of_100(service):
    got = loop(service, "web.default.svc.cluster.local", 100)
    assert len(got) == 100 and "FAIL" not in got, got
    assert len(set(got)) == 3, set(got)
    # Every backend reaches the service too, itself included (hairpin).
    for p in service.json("get", "pods", "-l", "app=web")["items"]:
        name = p["metadata"]["name"]
        seen = loop(service, "web.default.svc.cluster.local", 30, pod=name)
        assert "FAIL" not in seen and name in seen, (name, seen)


def test_node_port_and_load_balancer_answer_on_every_node_from_outside(service):
    svc = wait_for(lambda: (lambda s: s if s["status"].get("loadBalancer", {}).get("ingress") else None)(service.json("get", "svc", "web")),
                   20, "load-balancer ingress")
    np = svc["spec"]["ports"][0]["nodePort"]
    for node in NODES:
        for port in (np, 80):
            r = subprocess.run(["ip", "netns", "exec", f"{service.lab.prefix}-server", "curl", "-sS", "-m", "3", f"http://{node_ip(node)}:{port}/"],
                               capture_output=True, text=True)
            assert r.returncode == 0 and r.stdout.strip().startswith("web-"), (node, port, r.stderr)


def test_cluster_dns_answers_and_forwards(service):
    c = service
    cip = c.json("get", "svc", "web")["spec"]["clusterIP"]
    a = c.sh("client", f"nslookup web.default.svc.cluster.local {DNS_IP}").stdout
    assert cip in a, a
    srv = c.sh("client", f"nslookup -type=SRV _http._tcp.web.default.svc.cluster.local {DNS_IP}").stdout
    assert "web.default.svc.cluster.local" in srv and "80" in srv, srv
    ptr = c.sh("client", f"nslookup {cip} {DNS_IP}").stdout
    assert "web.default.svc.cluster.local" in ptr, ptr
    c.apply({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web-headless"},
             "spec": {"clusterIP": "None", "selector": {"app": "web"}, "ports": [{"name": "http", "port": 8080}]}})
    ips = sorted(p["status"]["podIP"] for p in c.json("get", "pods", "-l", "app=web")["items"])
    wait_for(lambda: all(ip in c.sh("client", f"nslookup web-headless.default.svc.cluster.local {DNS_IP}", check=False).stdout for ip in ips),
             20, "one A record per backend")
    # (nslookup also asks AAAA, which this dnsmasq refuses: only the A answer is checked.)
    assert "192.0.2.99" in c.sh("client", f"nslookup www.outside.test {DNS_IP}", check=False).stdout
    # The pod's own resolv.conf (ClusterFirst) finds the short name through its search path.
    assert "FAIL" not in loop(c, "web", 6)


def test_port_forward_carries_an_http_request(service):
    port = free_port()
    p = subprocess.Popen(["ip", "netns", "exec", f"{service.lab.prefix}-server", KUBECTL, "--kubeconfig", service.lab.kubeconfig,
                          "port-forward", "svc/web", f"{port}:80"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: subprocess.run(["ip", "netns", "exec", f"{service.lab.prefix}-server", "curl", "-sS", "-m", "3",
                                         f"http://127.0.0.1:{port}/"], capture_output=True, text=True).stdout.startswith("web-"),
                 20, "a request through kubectl port-forward")
    finally:
        p.terminate()
        p.wait(10)


def test_a_deleted_pod_leaves_rotation_within_2s_and_zero_replicas_refuse_at_once(service):
    c = service
    victim = c.json("get", "pods", "-l", "app=web")["items"][0]["metadata"]["name"]
    c.kubectl("delete", "pod", victim, "--wait=false")
    time.sleep(2)
    got = loop(c, "web.default.svc.cluster.local", 30)
    assert victim not in got and "FAIL" not in got, got
    c.kubectl("scale", "deployment/web", "--replicas=0")
    wait_for(lambda: not c.json("get", "pods", "-l", "app=web")["items"], 60, "no backends left")
    time.sleep(1)
    t0 = time.time()
    r = c.sh("client", "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 5 web.default.svc.cluster.local 80", check=False)
    assert r.returncode != 0 and time.time() - t0 < 3, (r.stderr, time.time() - t0)
    assert "refused" in (r.stdout + r.stderr).lower(), r.stderr
