"""The agent API (the kubelet port) serves a certificate signed by a CA of the node's own. That CA is
kept in the agent's data dir, so a client that pins it (a metrics scraper, kubectl talking to the node
directly) keeps trusting the node after the agent restarts, while the serving certificate is new."""
import os
import shutil
import socket
import ssl
import stat
import tempfile

from cryptography import x509

from agent_node import agent_node, node_ready
from conftest import wait_for


def agent_port(server):
    args = server.extra_args
    return int(args[args.index("--agent-api-port") + 1])


def verified_certificate(port, pinned_ca):
    """The agent's serving certificate, from a handshake that trusts only `pinned_ca` and checks the address."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cafile=pinned_ca)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            return x509.load_der_x509_certificate(tls.getpeercert(binary_form=True))


def answers(port, pinned_ca):
    try:
        verified_certificate(port, pinned_ca)
        return True
    except OSError:
        return False


def test_the_nodes_ca_is_kept_across_an_agent_restart():
    pinned = tempfile.mkdtemp(prefix="edgectl-e2e-pinned-")
    try:
        with agent_node("edgectl-e2e-servingca-", "ca-node") as (server, k):
            tls = os.path.join(server.data_dir, "agent", "tls")
            ca_path, key_path = os.path.join(tls, "serving-ca.crt"), os.path.join(tls, "serving-ca.key")
            assert stat.S_IMODE(os.stat(key_path).st_mode) == 0o600, "the node CA's key is the owner's alone"
            assert stat.S_IMODE(os.stat(tls).st_mode) == 0o700
            ca_pem = open(ca_path, "rb").read()
            ca = x509.load_pem_x509_certificate(ca_pem)
            assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
            assert ca.subject.rfc4514_string() == "CN=ca-node-ca", ca.subject
            # What a client that pins the node keeps: a copy of the CA outside the data dir.
            ca_copy = os.path.join(pinned, "node-ca.crt")
            shutil.copy(ca_path, ca_copy)
            port = agent_port(server)
            wait_for(lambda: answers(port, ca_copy), 30, "the agent API to answer")
            before = verified_certificate(port, ca_copy)
            assert before.issuer == ca.subject

            server.stop()
            server.start()
            wait_for(lambda: node_ready(k, "ca-node"), 60, "the node to be Ready again")
            wait_for(lambda: answers(port, ca_copy), 30, "the restarted agent API to answer, verified by the pinned CA")
            after = verified_certificate(port, ca_copy)
            assert after.serial_number != before.serial_number, "the serving certificate is made anew at start"
            assert open(ca_path, "rb").read() == ca_pem, "the CA on disk is the same one, not rewritten"
    finally:
        shutil.rmtree(pinned, ignore_errors=True)
