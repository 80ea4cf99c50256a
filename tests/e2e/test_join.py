"""Join tokens and `edgectl join`: kubeadm-format tokens stored as bootstrap
Secrets, the CA checked against --ca-cert-hash before any credential is sent,
a node client certificate issued through an auto-approved CSR, and a clear
message for each way it can go wrong."""
import http.server
import json
import os
import re
import ssl
import stat
import subprocess
import threading
import time


from conftest import EDGECTL, KUBECTL, free_port, loopback_only_agent_args


def edgectl(*args, check=True):
    r = subprocess.run([EDGECTL, *args], capture_output=True, text=True, timeout=120)
    if check and r.returncode != 0:
        raise AssertionError(f"edgectl {' '.join(args)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    return r


def create_token(server, *extra):
    out = edgectl("token", "create", "--kubeconfig", server.kubeconfig, *extra).stdout.strip()
    m = re.fullmatch(r"edgectl join (https://\S+) --token ([a-z0-9]{6}\.[a-z0-9]{16}) --ca-cert-hash (sha256:[0-9a-f]{64})", out)
    assert m, out
    return m.group(1), m.group(2), m.group(3)


def join(url, token, ca_hash, data_dir, node):
    """Credentials only (--no-agent); the agent itself is exercised below."""
    return edgectl("join", url, "--token", token, "--ca-cert-hash", ca_hash, "--data-dir", data_dir, "--node-name", node,
                   "--no-agent", check=False)


def csr_names(kubectl):
    return sorted(i["metadata"]["name"] for i in kubectl.json("get", "csr")["items"])


def test_token_join_issues_a_node_certificate(server, kubectl, tmp_path):
    url, token, ca_hash = create_token(server, "--description", "for pi-1")
    assert url == f"https://127.0.0.1:{server.port}"
    listed = edgectl("token", "list", "--kubeconfig", server.kubeconfig).stdout
    assert token.split(".")[0] in listed and "for pi-1" in listed
    assert token.split(".")[1] not in listed, "the secret half is never listed"
    secret = kubectl.json("get", "secret", "-n", "kube-system", "bootstrap-token-" + token.split(".")[0])
    assert secret["type"] == "bootstrap.kubernetes.io/token"

    d = str(tmp_path / "agent")
    r = join(url, token, ca_hash, d, "pi-1")
    assert r.returncode == 0, r.stderr
    assert "system:node:pi-1" in r.stdout
    for f in ["tls/client.key", "tls/client.crt", "kubeconfig.yaml"]:
        assert stat.S_IMODE(os.stat(os.path.join(d, f)).st_mode) == 0o600, f
    subject = subprocess.run(["openssl", "x509", "-noout", "-subject", "-in", os.path.join(d, "tls/client.crt")],
                             capture_output=True, text=True, check=True).stdout
    assert "CN = system:node:pi-1" in subject and "O = system:nodes" in subject, subject
    csr = [i for i in kubectl.json("get", "csr")["items"] if i["spec"]["username"] == "system:bootstrap:" + token.split(".")[0]]
    assert csr and csr[0]["status"]["conditions"][0]["type"] == "Approved"
    # The new credentials authenticate as the node: it may list pods, not enumerate secrets (403 naming it, not 401).
    node_kc = os.path.join(d, "kubeconfig.yaml")
    r = subprocess.run([KUBECTL, "--kubeconfig", node_kc, "get", "pods", "-A"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([KUBECTL, "--kubeconfig", node_kc, "get", "secrets", "-n", "kube-system"], capture_output=True, text=True)
    assert 'User "system:node:pi-1" cannot list resource "secrets"' in r.stderr, r.stderr

    # A second machine may not take the name of an existing node: join says so before it makes a key
    # (the server's signer refuses such a request too, for a client that skips the check).
    kubectl.run("create", "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "pi-taken"}}))
    r = join(url, token, ca_hash, str(tmp_path / "other"), "pi-taken")
    assert r.returncode != 0 and "[error NodeName]: a Node named pi-taken already exists in the cluster (not Ready)" in r.stderr, r.stderr
    assert not os.path.exists(tmp_path / "other" / "kubeconfig.yaml")

    edgectl("token", "delete", "--kubeconfig", server.kubeconfig, token.split(".")[0])
    r = join(url, token, ca_hash, str(tmp_path / "after-delete"), "pi-2")
    assert r.returncode != 0 and "rejected the token" in r.stderr, r.stderr


def test_wrong_hash_wrong_token_expired_token_and_unreachable_server(server, kubectl, tmp_path):
    url, token, ca_hash = create_token(server)
    before = csr_names(kubectl)
    r = join(url, token, "sha256:" + "0" * 64, str(tmp_path / "a"), "pi-hash")
    assert r.returncode != 0 and "does not match --ca-cert-hash" in r.stderr and "no credentials were sent" in r.stderr, r.stderr
    assert csr_names(kubectl) == before

    wrong = token.split(".")[0] + "." + ("a" * 16 if not token.endswith("a" * 16) else "b" * 16)
    r = join(url, wrong, ca_hash, str(tmp_path / "b"), "pi-wrong")
    assert r.returncode != 0 and "rejected the token" in r.stderr and "edgectl token create" in r.stderr, r.stderr

    _, short, _ = create_token(server, "--ttl", "1s")
    time.sleep(2.5)
    r = join(url, short, ca_hash, str(tmp_path / "c"), "pi-expired")
    assert r.returncode != 0 and "rejected the token" in r.stderr, r.stderr

    r = join("https://127.0.0.1:1", token, ca_hash, str(tmp_path / "d"), "pi-far")
    assert r.returncode != 0 and "cannot reach https://127.0.0.1:1" in r.stderr, r.stderr

    r = edgectl("join", url, "--token", "not-a-token", "--ca-cert-hash", ca_hash, check=False)
    assert r.returncode != 0 and "--token must look like" in r.stderr
    r = edgectl("token", "create", "--kubeconfig", server.kubeconfig, "--ttl", "soon", check=False)
    assert r.returncode != 0 and "--ttl soon is not a duration" in r.stderr
    assert csr_names(kubectl) == before, "no failed join created a certificate request"


class Recorder(http.server.BaseHTTPRequestHandler):
    """A server pretending to be a cluster with another CA; records what it is sent."""
    seen = []
    kubeconfig = ""

    def do_GET(self):
        Recorder.seen.append(("GET", self.path, self.headers.get("Authorization")))
        body = json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cluster-info", "namespace": "kube-public"},
                           "data": {"kubeconfig": Recorder.kubeconfig}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        Recorder.seen.append(("POST", self.path, self.headers.get("Authorization")))
        self.send_response(500)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_impostor_server_never_receives_the_token(server, tmp_path):
    """An attacker's server answers discovery with its own CA: the join stops
    before sending the token or anything else."""
    url, token, ca_hash = create_token(server)
    key, crt = str(tmp_path / "k.pem"), str(tmp_path / "c.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", key, "-out", crt, "-days", "1", "-subj", "/CN=impostor", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    import base64
    Recorder.kubeconfig = ("apiVersion: v1\nkind: Config\nclusters:\n- name: \"\"\n  cluster:\n"
                           f"    certificate-authority-data: {base64.b64encode(open(crt, 'rb').read()).decode()}\n"
                           f"    server: https://127.0.0.1\n")
    httpd = http.server.HTTPServer(("127.0.0.1", 0), Recorder)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(crt, key)
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        r = join(f"https://127.0.0.1:{httpd.server_address[1]}", token, ca_hash, str(tmp_path / "x"), "pi-victim")
    finally:
        httpd.shutdown()
    assert r.returncode != 0 and "does not match --ca-cert-hash" in r.stderr, r.stderr
    assert Recorder.seen == [("GET", "/api/v1/namespaces/kube-public/configmaps/cluster-info", None)], Recorder.seen


def test_join_runs_the_agent_which_registers_the_node(server, kubectl, tmp_path):
    url, token, ca_hash = create_token(server)
    d = str(tmp_path / "agent")
    log = open(tmp_path / "agent.log", "w")
    proc = subprocess.Popen([EDGECTL, "join", url, "--token", token, "--ca-cert-hash", ca_hash, "--data-dir", d,
                             "--node-name", "pi-agent", "--node-ip", "192.0.2.33", "--node-labels", "board=rpi4",
                             "--agent-api-port", str(free_port()), *loopback_only_agent_args(str(tmp_path))],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        # As root the agent runs pods, so the node takes them (no taint); without root it says so with a taint.
        # The not-ready taints go once the node lifecycle controller has seen it Ready.
        expected = [] if os.geteuid() == 0 else ["edgectl.io/pods-need-root"]
        deadline = time.time() + 90
        node = None
        while time.time() < deadline:
            r = kubectl.run("get", "node", "pi-agent", "-o", "json", check=False)
            if r.returncode == 0:
                node = json.loads(r.stdout)
                if any(c["type"] == "Ready" and c["status"] == "True" for c in node["status"].get("conditions", [])) \
                        and [t["key"] for t in node["spec"].get("taints", [])] == expected:
                    break
            time.sleep(0.3)
        assert node, open(tmp_path / "agent.log").read()
        assert {"type": "InternalIP", "address": "192.0.2.33"} in node["status"]["addresses"]
        assert int(node["status"]["capacity"]["cpu"]) == os.cpu_count()
        assert node["status"]["capacity"]["pods"] == "110"
        assert node["status"]["nodeInfo"]["kubeletVersion"].startswith("v1.37")
        assert node["metadata"]["labels"]["board"] == "rpi4"
        assert [t["key"] for t in node["spec"].get("taints", [])] == expected
        lease = kubectl.json("get", "lease", "pi-agent", "-n", "kube-node-lease")
        assert lease["spec"]["holderIdentity"] == "pi-agent"
        wide = kubectl.run("get", "node", "pi-agent", "-o", "wide").stdout
        assert "Ready" in wide and "192.0.2.33" in wide
        # The node's credentials may not touch another node.
        r = subprocess.run([KUBECTL, "--kubeconfig", os.path.join(d, "kubeconfig.yaml"), "label", "node", "pi-taken", "x=y", "--overwrite"],
                           capture_output=True, text=True)
        assert r.returncode != 0 and "forbidden" in r.stderr.lower(), r.stderr
        # Another machine joining under the same name is stopped before it makes a key or a certificate
        # request (kubeadm join's check), with the fix.
        csrs = len(kubectl.json("get", "csr")["items"])
        r = edgectl("join", url, "--token", token, "--ca-cert-hash", ca_hash, "--data-dir", str(tmp_path / "twin"),
                    "--node-name", "pi-agent", "--no-agent", check=False)
        assert r.returncode != 0, r.stdout
        assert "[error NodeName]: a Node named pi-agent already exists in the cluster and is Ready" in r.stderr, r.stderr
        assert "kubectl delete node pi-agent" in r.stderr, r.stderr
        assert len(kubectl.json("get", "csr")["items"]) == csrs
        assert not os.path.exists(tmp_path / "twin" / "kubeconfig.yaml")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    # A restarted agent uses the credentials it has.
    proc = subprocess.Popen([EDGECTL, "agent", "--data-dir", d, "--node-name", "pi-agent", "--agent-api-port", str(free_port()),
                             *loopback_only_agent_args(str(tmp_path))],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        first = kubectl.json("get", "lease", "pi-agent", "-n", "kube-node-lease")["spec"]["renewTime"]
        deadline = time.time() + 20
        while time.time() < deadline:
            if kubectl.json("get", "lease", "pi-agent", "-n", "kube-node-lease")["spec"]["renewTime"] != first:
                break
            time.sleep(0.5)
        else:
            raise AssertionError("restarted agent did not renew its lease")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    r = edgectl("agent", "--data-dir", str(tmp_path / "empty"), check=False)
    assert r.returncode != 0 and "holds no node credentials yet" in r.stderr, r.stderr
