"""The signature algorithm in everything edgectl signs: ecdsa-with-SHA256 with its
parameters absent (RFC 5758 section 3.2), in both places of a certificate and in a
certificate request. A strict parser (Python's cryptography, its deprecation
warnings made errors) takes each one, and each verifies with its issuer's key
(cryptography and openssl); the clients still connect with them."""
import base64
import os
import subprocess

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import SignatureAlgorithmOID

from agent_node import agent_node
from conftest import KUBECTL
from signatures import ALGORITHM, WITH_NULL, check_certificate, strictly
from test_join import create_token, join

NODE = "sigalg-node"


def openssl_verify(ca_path, *paths):
    r = subprocess.run(["openssl", "verify", "-x509_strict", "-CAfile", ca_path, *paths], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def read(path):
    with open(path, "rb") as f:
        return f.read()


@pytest.fixture(scope="module")
def cluster():
    """A server with its local agent (so the agent's own serving certificate is there too)."""
    with agent_node("edgectl-e2e-sigalg-", NODE) as (server, kubectl):
        yield server, kubectl


def test_server_certificates(cluster):
    server, _ = cluster
    tls = os.path.join(server.data_dir, "tls")
    ca_path = os.path.join(tls, "ca.crt")
    ca = check_certificate(read(ca_path), strictly(x509.load_pem_x509_certificate, read(ca_path)))
    names = ["serving.crt", "admin.crt", "apiserver-kubelet-client.crt"]
    for name in names:
        check_certificate(read(os.path.join(tls, name)), ca)
    openssl_verify(ca_path, ca_path, *[os.path.join(tls, n) for n in names])
    # What the API server presents, and the admin kubeconfig's client certificate.
    presented = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{server.port}", "-CAfile", ca_path],
                               input="", capture_output=True, text=True, timeout=30).stdout
    assert "Verify return code: 0 (ok)" in presented, presented
    check_certificate(x509.load_pem_x509_certificate(presented.encode()).public_bytes(serialization.Encoding.PEM), ca)
    user = yaml.safe_load(open(server.kubeconfig))["users"][0]["user"]
    check_certificate(base64.b64decode(user["client-certificate-data"]), ca)


def test_agent_serving_certificate(cluster):
    """The agent's serving certificate (kubelet's), under a CA of the node's own."""
    server, _ = cluster
    port = server.extra_args[server.extra_args.index("--agent-api-port") + 1]
    out = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-showcerts"],
                         input="", capture_output=True, text=True, timeout=30).stdout
    chain = [b"-----BEGIN CERTIFICATE-----" + c.split("-----END CERTIFICATE-----")[0].encode() + b"-----END CERTIFICATE-----\n"
             for c in out.split("-----BEGIN CERTIFICATE-----")[1:]]
    assert len(chain) == 2, out
    node_ca = check_certificate(chain[1], strictly(x509.load_pem_x509_certificate, chain[1]))
    leaf = check_certificate(chain[0], node_ca)
    assert leaf.subject.get_attributes_for_oid(x509.oid.NameOID.COMMON_NAME)[0].value == NODE


def test_joined_node_certificate_and_its_request(cluster, tmp_path):
    """`edgectl join`: the CSR it sends and the certificate the cluster CA signs from it; the
    node's credentials still work with kubectl and the Python client."""
    server, kubectl = cluster
    ca_path = os.path.join(server.data_dir, "tls", "ca.crt")
    ca = strictly(x509.load_pem_x509_certificate, read(ca_path))
    url, token, ca_hash = create_token(server)
    d = str(tmp_path / "joined")
    r = join(url, token, ca_hash, d, "sigalg-joined")
    assert r.returncode == 0, r.stderr
    crt = os.path.join(d, "tls", "client.crt")
    check_certificate(read(crt), ca)
    openssl_verify(ca_path, crt)

    requests = [c for c in kubectl.json("get", "csr")["items"] if c["spec"]["username"] == "system:bootstrap:" + token.split(".")[0]]
    assert len(requests) == 1, requests
    pem = base64.b64decode(requests[0]["spec"]["request"])
    csr = strictly(x509.load_pem_x509_csr, pem)
    der = csr.public_bytes(serialization.Encoding.DER)
    assert WITH_NULL not in der and der.count(ALGORITHM) == 1, der.hex()
    assert csr.signature_algorithm_oid == SignatureAlgorithmOID.ECDSA_WITH_SHA256
    assert csr.is_signature_valid
    r = subprocess.run(["openssl", "req", "-verify", "-noout"], input=pem, capture_output=True)
    assert r.returncode == 0, r.stderr

    node_kubeconfig = os.path.join(d, "kubeconfig.yaml")
    r = subprocess.run([KUBECTL, "--kubeconfig", node_kubeconfig, "get", "pods", "-A"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    from kubernetes import client, config
    api = client.CoreV1Api(config.new_client_from_config(config_file=node_kubeconfig))
    assert isinstance(api.list_pod_for_all_namespaces().items, list)
