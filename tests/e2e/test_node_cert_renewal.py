"""Node client certificate renewal (kubelet's --rotate-certificates): a joined
agent renews its certificate through a CSR made with its own node identity,
before the old one expires, without restarting; the old certificate's expiry
does not break it; and a node cannot get a certificate for another node's name.

The server signs node certificates for 60 s (--node-cert-lifetime) so the
whole life of a certificate fits in the test."""
import base64
import http.client
import json
import os
import ssl
import stat
import subprocess
import tempfile
import time

import pytest
import yaml
from cryptography import x509

from agent_node import node_ready
from conftest import EDGECTL, KUBECTL, Kubectl, Server, free_port, loopback_only_agent_args, wait_for
from signatures import check_certificate, strictly
from test_join import create_token

LIFETIME = 60
NODE = "pi-renew"


def cert_facts(path):
    """serial, notBefore and notAfter (unix seconds) of a PEM certificate, read by openssl."""
    out = subprocess.run(["openssl", "x509", "-noout", "-serial", "-startdate", "-enddate", "-subject", "-in", path],
                         capture_output=True, text=True, check=True).stdout
    fields = dict(line.split("=", 1) for line in out.splitlines())

    def seconds(text):
        return int(subprocess.run(["date", "-u", "-d", text, "+%s"], capture_output=True, text=True, check=True).stdout)

    return {"serial": fields["serial"], "not_before": seconds(fields["notBefore"]), "not_after": seconds(fields["notAfter"]),
            "subject": fields["subject"]}


def cert_public_key(path):
    return subprocess.run(["openssl", "x509", "-noout", "-pubkey", "-in", path], capture_output=True, text=True, check=True).stdout


def key_public_key(path):
    return subprocess.run(["openssl", "pkey", "-pubout", "-in", path], capture_output=True, text=True, check=True).stdout


def wait_until(fn, timeout, what, log_path):
    """conftest's wait_for, showing the agent's log on a time-out."""
    return wait_for(fn, timeout, what, show=lambda: "agent log:\n" + open(log_path).read()[-4000:])


def ready(kubectl):
    return node_ready(kubectl, NODE)


def lease_time(kubectl):
    return kubectl.json("get", "lease", NODE, "-n", "kube-node-lease")["spec"]["renewTime"]


def kubeconfig_with(server_kubeconfig, crt, key, path):
    cfg = yaml.safe_load(open(server_kubeconfig))
    cfg["users"][0]["user"] = {"client-certificate": crt, "client-key": key}
    yaml.safe_dump(cfg, open(path, "w"))
    return path


def kept_alive_connection(server, crt, key, tmp_path):
    """An HTTPS connection to the server presenting crt/key, trusting the cluster CA."""
    cfg = yaml.safe_load(open(server.kubeconfig))
    ca = str(tmp_path / "ca.crt")
    open(ca, "wb").write(base64.b64decode(cfg["clusters"][0]["cluster"]["certificate-authority-data"]))
    ctx = ssl.create_default_context(cafile=ca)
    ctx.load_cert_chain(crt, key)
    host, port = cfg["clusters"][0]["cluster"]["server"].removeprefix("https://").rsplit(":", 1)
    return http.client.HTTPSConnection(host, int(port), context=ctx, timeout=10)


@pytest.fixture
def short_lived_server():
    with tempfile.TemporaryDirectory(prefix="edgectl-e2e-renew-") as d:
        s = Server(d, free_port(), extra_args=["--node-cert-lifetime", f"{LIFETIME}s"]).start()
        try:
            yield s
        finally:
            s.stop()


def test_agent_renews_its_certificate_before_expiry_and_keeps_working(short_lived_server, tmp_path):
    server = short_lived_server
    kubectl = Kubectl(server.kubeconfig)
    url, token, ca_hash = create_token(server)
    d = str(tmp_path / "agent")
    crt, key = os.path.join(d, "tls", "client.crt"), os.path.join(d, "tls", "client.key")
    log_path = str(tmp_path / "agent.log")
    log = open(log_path, "w")
    agent = subprocess.Popen([EDGECTL, "join", url, "--token", token, "--ca-cert-hash", ca_hash, "--data-dir", d,
                              "--node-name", NODE, "--node-ip", "192.0.2.44", "--agent-api-port", str(free_port()),
                              *loopback_only_agent_args(str(tmp_path))],
                             stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: ready(kubectl), 30, "node Ready", log_path)
        first = cert_facts(crt)
        assert "CN = system:node:" + NODE in first["subject"] and "O = system:nodes" in first["subject"], first
        assert first["not_after"] - first["not_before"] <= LIFETIME + 10, f"the server did not apply --node-cert-lifetime: {first}"
        saved_crt, saved_key = str(tmp_path / "old.crt"), str(tmp_path / "old.key")
        open(saved_crt, "w").write(open(crt).read())
        open(saved_key, "w").write(open(key).read())
        # A connection opened with the first certificate and kept alive past its expiry (checked below).
        kept = kept_alive_connection(server, saved_crt, saved_key, tmp_path)
        kept.request("GET", f"/api/v1/nodes/{NODE}")
        response = kept.getresponse()
        response.read()
        assert response.status == 200, response.status

        # Renewed before the first certificate expires, in the 70-90% window (plus a few seconds for CSR, approval, signing).
        second = wait_until(lambda: (lambda f: f if f["serial"] != first["serial"] else None)(cert_facts(crt)),
                            LIFETIME, "a renewed certificate", log_path)
        renewed_at = time.time()
        assert renewed_at < first["not_after"], f"renewed only at {renewed_at}, after the first expired at {first['not_after']}"
        window = first["not_after"] - first["not_before"]
        assert renewed_at >= first["not_before"] + 0.7 * window - 2, "renewed before 70% of the lifetime"
        assert second["not_after"] > first["not_after"]
        assert "CN = system:node:" + NODE in second["subject"] and "O = system:nodes" in second["subject"], second
        for f in [crt, key, os.path.join(d, "kubeconfig.yaml")]:
            assert stat.S_IMODE(os.stat(f).st_mode) == 0o600, f
        assert cert_public_key(crt) == key_public_key(key), "new key and certificate match"
        ca = strictly(x509.load_pem_x509_certificate, open(os.path.join(server.data_dir, "tls", "ca.crt"), "rb").read())
        check_certificate(open(crt, "rb").read(), ca)
        assert key_public_key(key) != key_public_key(saved_key), "a fresh key, not the old one"
        node_kc = yaml.safe_load(open(os.path.join(d, "kubeconfig.yaml")))
        assert base64.b64decode(node_kc["users"][0]["user"]["client-certificate-data"]).decode() == open(crt).read(), \
            "kubeconfig.yaml (what a restarted agent reads) holds the new certificate"
        # The renewal was requested by the node itself, not with the bootstrap token.
        renewals = [c for c in kubectl.json("get", "csr")["items"] if c["spec"]["username"] == "system:node:" + NODE]
        assert renewals, "no CSR submitted by system:node:" + NODE
        assert renewals[0]["spec"]["signerName"] == "kubernetes.io/kube-apiserver-client-kubelet"
        assert sorted(renewals[0]["spec"]["usages"]) == ["client auth", "digital signature"]
        assert renewals[0]["status"]["conditions"][0]["type"] == "Approved"
        assert "now using the renewed client certificate" in open(log_path).read()

        # The node asks for a certificate in another node's name, with its own credentials: not approved.
        other_key = str(tmp_path / "other.key")
        subprocess.run(["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", other_key], check=True)
        request = subprocess.run(["openssl", "req", "-new", "-key", other_key, "-subj", "/O=system:nodes/CN=system:node:pi-other"],
                                 check=True, capture_output=True).stdout
        manifest = {"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest", "metadata": {"name": "steal-pi-other"},
                    "spec": {"request": base64.b64encode(request).decode(), "signerName": "kubernetes.io/kube-apiserver-client-kubelet",
                             "usages": ["digital signature", "client auth"]}}
        as_node = Kubectl(os.path.join(d, "kubeconfig.yaml"))
        # kubectl validates against the OpenAPI document, which any authenticated user may read (system:discovery).
        as_node.run("create", "-f", "-", input=json.dumps(manifest))

        # Past the first certificate's expiry: it is really dead (401 on a new connection) ...
        wait_until(lambda: time.time() > first["not_after"] + 2, LIFETIME + 10, "the first certificate to expire", log_path)
        old_kc = kubeconfig_with(server.kubeconfig, saved_crt, saved_key, str(tmp_path / "old.yaml"))
        r = subprocess.run([KUBECTL, "--kubeconfig", old_kc, "get", "node", NODE], capture_output=True, text=True)
        assert r.returncode != 0 and "Unauthorized" in r.stderr, r.stderr
        # ... and on the connection opened while it was valid: each request is judged, not only the handshake.
        kept.request("GET", f"/api/v1/nodes/{NODE}")
        response = kept.getresponse()
        body = json.loads(response.read())
        assert response.status == 401 and body.get("reason") == "Unauthorized", (response.status, body)
        kept.close()
        # ... yet the agent, the same process, keeps its node Ready, also over connections made after a server restart.
        server.stop()
        server.start()
        before = lease_time(kubectl)
        wait_until(lambda: lease_time(kubectl) != before, 30, "a lease renewal after the server restart", log_path)
        assert ready(kubectl)
        assert agent.poll() is None, "the agent exited"

        # A later renewal happened after the foreign-name request, so the approver has seen it: still not approved.
        third = wait_until(lambda: (lambda f: f if f["serial"] not in (first["serial"], second["serial"]) else None)(cert_facts(crt)),
                           LIFETIME, "a second renewal", log_path)
        assert third["not_after"] > second["not_after"]
        steal = kubectl.json("get", "csr", "steal-pi-other")
        assert steal["spec"]["username"] == "system:node:" + NODE
        assert not steal.get("status", {}).get("certificate"), "a node got a certificate for another node's name"
        assert not [c for c in steal.get("status", {}).get("conditions", []) if c["type"] == "Approved"], steal["status"]
    finally:
        agent.terminate()
        agent.wait(timeout=15)
    # A restarted agent starts from the renewed credentials on disk (the join's certificate is long expired).
    agent = subprocess.Popen([EDGECTL, "agent", "--data-dir", d, "--node-name", NODE, "--node-ip", "192.0.2.44",
                              "--agent-api-port", str(free_port()), *loopback_only_agent_args(str(tmp_path))],
                             stdout=log, stderr=subprocess.STDOUT)
    try:
        before = lease_time(kubectl)
        wait_until(lambda: lease_time(kubectl) != before, 30, "a lease renewal by the restarted agent", log_path)
    finally:
        agent.terminate()
        agent.wait(timeout=15)
