"""Certificate requests through kubectl: an admin approves a client CSR with
`kubectl certificate approve`, the cluster CA signs it, and the certificate
authenticates its subject."""
import base64
import os
import subprocess

import yaml
from cryptography import x509

from conftest import KUBECTL
from signatures import check_certificate, strictly
from test_serviceaccounts import wait_for


def make_csr(tmp, cn, org):
    key = os.path.join(tmp, "u.key")
    subprocess.run(["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key], check=True)
    csr = subprocess.run(["openssl", "req", "-new", "-key", key, "-subj", f"/CN={cn}/O={org}"],
                         check=True, capture_output=True).stdout
    return key, base64.b64encode(csr).decode()


def test_approve_sign_and_authenticate(kubectl, server, tmp_path):
    tmp = str(tmp_path)
    key, request = make_csr(tmp, "jane", "developers")
    manifest = {"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest", "metadata": {"name": "jane"},
                "spec": {"request": request, "signerName": "kubernetes.io/kube-apiserver-client",
                         "usages": ["digital signature", "client auth"], "expirationSeconds": 86400}}
    kubectl.run("apply", "-f", "-", input=yaml.safe_dump(manifest))
    out = kubectl.run("get", "csr", "jane").stdout
    assert out.splitlines()[0].split()[:4] == ["NAME", "AGE", "SIGNERNAME", "REQUESTOR"]
    assert "Pending" in out and "admin" in out
    kubectl.run("certificate", "approve", "jane")
    assert wait_for(lambda: kubectl.run("get", "csr", "jane", "-o", "jsonpath={.status.certificate}").stdout != "")
    assert "Approved,Issued" in kubectl.run("get", "csr", "jane").stdout
    cert = base64.b64decode(kubectl.run("get", "csr", "jane", "-o", "jsonpath={.status.certificate}").stdout)
    crt = os.path.join(tmp, "u.crt")
    open(crt, "wb").write(cert)
    ca = os.path.join(server.data_dir, "tls", "ca.crt")
    check_certificate(cert, strictly(x509.load_pem_x509_certificate, open(ca, "rb").read()))
    subprocess.run(["openssl", "verify", "-x509_strict", "-CAfile", ca, crt], check=True, capture_output=True)
    cfg = yaml.safe_load(open(server.kubeconfig))
    cfg["users"][0]["user"] = {"client-certificate": crt, "client-key": key}
    kc = os.path.join(tmp, "jane.yaml")
    yaml.safe_dump(cfg, open(kc, "w"))
    r = subprocess.run([KUBECTL, "--kubeconfig", kc, "get", "pods"], capture_output=True, text=True)
    assert r.returncode != 0 and 'User "jane" cannot list resource "pods"' in r.stderr, r.stderr

    bad = dict(manifest, metadata={"name": "broken"})
    bad["spec"] = dict(manifest["spec"], request=base64.b64encode(b"nonsense").decode())
    r = kubectl.run("apply", "-f", "-", input=yaml.safe_dump(bad), check=False)
    assert r.returncode != 0 and "spec.request" in r.stderr and "CERTIFICATE REQUEST" in r.stderr, r.stderr
    kubectl.run("delete", "csr", "jane")
