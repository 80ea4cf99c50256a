"""The server's first start: PKI files, serving certificate names, CLI commands."""
import os
import socket
import ssl
import re
import stat
import subprocess

from conftest import EDGECTL


def test_first_start_files_are_private(server):
    for rel in ["kubeconfig.yaml", "tls/ca.key", "tls/ca.crt", "tls/serving.key", "tls/serving.crt", "tls/admin.key", "tls/admin.crt"]:
        mode = stat.S_IMODE(os.stat(os.path.join(server.data_dir, rel)).st_mode)
        assert mode == 0o600, f"{rel} has mode {oct(mode)}"


def test_serving_certificate_names_this_machine(server):
    ctx = ssl.create_default_context(cafile=os.path.join(server.data_dir, "tls/ca.crt"))
    with socket.create_connection(("127.0.0.1", server.port)) as s:
        with ctx.wrap_socket(s, server_hostname="127.0.0.1") as tls:
            cert = tls.getpeercert()
            assert tls.version() in ("TLSv1.2", "TLSv1.3")
    sans = {(k, v) for k, v in cert["subjectAltName"]}
    assert ("IP Address", "127.0.0.1") in sans
    assert ("DNS", "localhost") in sans
    assert ("DNS", socket.gethostname().lower()) in sans
    assert not any(v.startswith("*") for _, v in sans), "no wildcards"


def test_kubeconfig_and_version_commands(server):
    out = subprocess.run([EDGECTL, "kubeconfig", "--data-dir", server.data_dir], capture_output=True, text=True, check=True).stdout
    assert out == open(server.kubeconfig).read()
    missing = subprocess.run([EDGECTL, "kubeconfig", "--data-dir", "/nonexistent/edgectl"], capture_output=True, text=True)
    assert missing.returncode != 0 and "start the server first" in missing.stderr
    v = subprocess.run([EDGECTL, "version"], capture_output=True, text=True, check=True).stdout
    assert "edgectl" in v and "v1.37" in v
    # architecture, compiler and every C library linked in, with versions
    assert re.search(r"^architecture: (x86_64|aarch64|armv7) ", v, re.M), v
    assert re.search(r"^compiler: Swift 6\.\d", v, re.M), v
    libs = re.search(r"^libraries: (.*)$", v, re.M).group(1)
    for name in ("glibc", "sqlite", "mbedtls", "libseccomp", "zlib"):
        assert re.search(rf"\b{name} \d+\.\d+", libs), (name, libs)


def test_bad_flags_are_explained():
    r = subprocess.run([EDGECTL, "server", "--https-listen-port", "70000"], capture_output=True, text=True)
    assert r.returncode != 0 and "--https-listen-port must be 1-65535" in r.stderr
    r = subprocess.run([EDGECTL, "server", "--datastore-endpoint", "etcd://x"], capture_output=True, text=True)
    assert r.returncode != 0 and "sqlite://" in r.stderr


def test_bad_network_flags_are_explained():
    for args, message in [
        (["--flannel-backend", "wireguard"], "--flannel-backend must be vxlan, host-gw or none"),
        (["--cluster-cidr", "10.42.0.0"], "--cluster-cidr 10.42.0.0 is not an IPv4 network"),
        (["--cluster-cidr", "10.42.1.0/16"], "has host bits set: use 10.42.0.0/16"),
        (["--cluster-dns", "10.44.0.10"], "--cluster-dns 10.44.0.10 is not in --service-cidr 10.43.0.0/16"),
        (["--service-cidr", "10.42.128.0/17"], "pod and service addresses must come from separate ranges"),
    ]:
        r = subprocess.run([EDGECTL, "server", *args], capture_output=True, text=True)
        assert r.returncode != 0 and message in r.stderr, (args, r.stderr)
