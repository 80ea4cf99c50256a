"""The client certificates the server signs for itself (admin, apiserver-kubelet-client)
are signed again at start when they near expiry, as the serving certificate always was:
a year after `edgectl server` first ran, a restart must not leave kubectl locked out."""
import base64
import datetime
import os
import tempfile

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID

from conftest import Kubectl, Server, free_port
from signatures import check_certificate

NAMES = ["admin.crt", "apiserver-kubelet-client.crt"]


def tls(server, name):
    return os.path.join(server.data_dir, "tls", name)


def load(path):
    with open(path, "rb") as f:
        return f.read()


def short_lived(server, name, days):
    """The same subject and key as the server's own certificate, signed by its CA but ending in `days`."""
    ca = x509.load_pem_x509_certificate(load(tls(server, "ca.crt")))
    ca_key = serialization.load_pem_private_key(load(tls(server, "ca.key")), None)
    old = x509.load_pem_x509_certificate(load(tls(server, name)))
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(old.subject).issuer_name(ca.subject).public_key(old.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=360))
            .not_valid_after(now + datetime.timedelta(days=days)).sign(ca_key, hashes.SHA256()))
    with open(tls(server, name), "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    return cert


def test_certificates_near_expiry_are_signed_again_at_start():
    with tempfile.TemporaryDirectory(prefix="edgectl-e2e-reissue-") as d:
        server = Server(d, free_port()).start()
        try:
            server.stop()
            ending = {name: short_lived(server, name, days=5) for name in NAMES}
            server.start()
            ca = x509.load_pem_x509_certificate(load(tls(server, "ca.crt")))
            for name in NAMES:
                cert = check_certificate(load(tls(server, name)), ca)
                assert cert.serial_number != ending[name].serial_number, name
                left = cert.not_valid_after_utc - datetime.datetime.now(datetime.timezone.utc)
                assert left > datetime.timedelta(days=300), (name, left)
                assert cert.subject == ending[name].subject, name
            # The kubeconfig carries the new admin certificate, and kubectl gets in with it.
            user = yaml.safe_load(open(server.kubeconfig))["users"][0]["user"]
            assert base64.b64decode(user["client-certificate-data"]) == load(tls(server, "admin.crt"))
            who = Kubectl(server.kubeconfig).run("auth", "whoami", "-o", "jsonpath={.status.userInfo.username}").stdout
            assert who == "admin"
            # A certificate far from expiry is left alone at the next start.
            before = {name: load(tls(server, name)) for name in NAMES}
            server.stop()
            server.start()
            assert {name: load(tls(server, name)) for name in NAMES} == before
        finally:
            server.stop()


def test_the_subject_keeps_its_organisation():
    # admin is in system:masters through its certificate's O; a renewed one must keep it.
    with tempfile.TemporaryDirectory(prefix="edgectl-e2e-reissue-o-") as d:
        server = Server(d, free_port()).start()
        try:
            server.stop()
            short_lived(server, "admin.crt", days=1)
            server.start()
            cert = x509.load_pem_x509_certificate(load(tls(server, "admin.crt")))
            assert [a.value for a in cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)] == ["system:masters"]
            Kubectl(server.kubeconfig).run("get", "clusterroles")
        finally:
            server.stop()
