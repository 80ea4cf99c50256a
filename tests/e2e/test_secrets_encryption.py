"""Secrets encrypted at rest (`edgectl server --secrets-encryption`): not readable in the SQLite
file (checked with sqlite3 in a backup, and in the raw database and WAL files), read back through the API, still readable after a key rotation and a
restart that rewrites them under the new key."""
import base64
import json
import os
import subprocess
import tempfile

from conftest import Kubectl, Server, free_port, EDGECTL


def stored_value(data_dir, key):
    # The running server holds state.db for its process alone: read its backup (docs/STORES.md).
    db = subprocess.run([EDGECTL, "backup", "save", "--data-dir", data_dir, "--name", "enc-check"],
                        capture_output=True, text=True, check=True).stdout.strip()
    tables = subprocess.run(["sqlite3", db, ".tables"], capture_output=True, text=True, check=True).stdout.split()
    for t in tables:
        cols = subprocess.run(["sqlite3", db, f"PRAGMA table_info({t})"], capture_output=True, text=True, check=True).stdout
        if "|name|" in cols and "|value|" in cols:
            out = subprocess.run(["sqlite3", db, f"SELECT hex(value) FROM {t} WHERE name = '{key}' ORDER BY id DESC LIMIT 1"],
                                 capture_output=True, text=True, check=True).stdout.strip()
            if out:
                return bytes.fromhex(out)
    raise AssertionError(f"{key} not found in {db} ({tables})")


def test_secrets_are_ciphertext_on_disk_and_plain_through_the_api():
    with tempfile.TemporaryDirectory(prefix="edgectl-enc-") as d:
        s = Server(d, free_port(), extra_args=["--secrets-encryption"]).start()
        try:
            k = Kubectl(s.kubeconfig)
            k.run("create", "secret", "generic", "db", "--from-literal=password=hunter2-secret-value", "-n", "default")
            k.run("create", "configmap", "plain", "--from-literal=note=visible-value", "-n", "default")
            raw = stored_value(d, "/registry/secrets/default/db")
            assert raw.startswith(b"k8s:enc:aesgcm:v1:"), raw[:40]
            whole = open(os.path.join(d, "db", "state.db"), "rb").read()
            wal = os.path.join(d, "db", "state.db-wal")
            whole += open(wal, "rb").read() if os.path.exists(wal) else b""
            assert b"hunter2" not in whole and base64.b64encode(b"hunter2-secret-value") not in whole
            assert b"hunter2" not in raw and base64.b64encode(b"hunter2-secret-value") not in raw
            assert b"visible-value" in stored_value(d, "/registry/configmaps/default/plain")
            got = json.loads(k.run("get", "secret", "db", "-n", "default", "-o", "json").stdout)
            assert base64.b64decode(got["data"]["password"]) == b"hunter2-secret-value"
            cfg = os.path.join(d, "cred", "encryption-config.json")
            assert oct(os.stat(cfg).st_mode & 0o777) == "0o600"
            status = subprocess.run([EDGECTL, "secrets-encrypt", "status", "--data-dir", d], capture_output=True, text=True, check=True).stdout
            assert "Enabled" in status, status
            old_key = json.load(open(cfg))["resources"][0]["providers"][0]["aesgcm"]["keys"][0]["name"]
            subprocess.run([EDGECTL, "secrets-encrypt", "rotate-keys", "--data-dir", d], capture_output=True, text=True, check=True)
            s.stop()
            s.start()
            raw = stored_value(d, "/registry/secrets/default/db")
            new_key = json.load(open(cfg))["resources"][0]["providers"][0]["aesgcm"]["keys"][0]["name"]
            assert new_key != old_key and raw.startswith(f"k8s:enc:aesgcm:v1:{new_key}:".encode()), raw[:60]
            got = json.loads(k.run("get", "secret", "db", "-n", "default", "-o", "json").stdout)
            assert base64.b64decode(got["data"]["password"]) == b"hunter2-secret-value"
        finally:
            s.stop()


K3S_AESCBC_CONFIG = {
    "kind": "EncryptionConfiguration", "apiVersion": "apiserver.config.k8s.io/v1",
    "resources": [{"resources": ["secrets"], "providers": [
        {"aescbc": {"keys": [{"name": "aescbckey", "secret": base64.b64encode(bytes(range(32))).decode()}]}},
        {"identity": {}}]}]}


def test_an_aescbc_key_file_as_k3s_writes_it():
    """The issue's AES-CBC: a key file naming upstream's aescbc provider encrypts with it, in upstream's format."""
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    with tempfile.TemporaryDirectory(prefix="edgectl-enc-cbc-") as d:
        os.makedirs(os.path.join(d, "cred"), mode=0o700)
        cfg = os.path.join(d, "cred", "encryption-config.json")
        with open(cfg, "w") as f:
            json.dump(K3S_AESCBC_CONFIG, f)
        os.chmod(cfg, 0o600)
        s = Server(d, free_port(), extra_args=["--secrets-encryption"]).start()
        try:
            k = Kubectl(s.kubeconfig)
            k.run("create", "secret", "generic", "cbc", "--from-literal=password=hunter2-cbc-value", "-n", "default")
            raw = stored_value(d, "/registry/secrets/default/cbc")
            assert raw.startswith(b"k8s:enc:aescbc:v1:aescbckey:"), raw[:40]
            assert b"hunter2" not in raw
            # Upstream's aescbc: IV, then AES-CBC of the PKCS#7-padded object; Python's cryptography opens it.
            body = raw[len(b"k8s:enc:aescbc:v1:aescbckey:"):]
            dec = Cipher(algorithms.AES(bytes(range(32))), modes.CBC(body[:16])).decryptor()
            unpad = padding.PKCS7(128).unpadder()
            plain = unpad.update(dec.update(body[16:]) + dec.finalize()) + unpad.finalize()
            assert json.loads(plain)["metadata"]["name"] == "cbc"
            got = json.loads(k.run("get", "secret", "cbc", "-n", "default", "-o", "json").stdout)
            assert base64.b64decode(got["data"]["password"]) == b"hunter2-cbc-value"
        finally:
            s.stop()


def test_a_joining_server_gets_the_clusters_secrets_keys(tmp_path):
    """HA: every server must hold the same keys; a server joining with --server/--token is handed them."""
    from datastores import EtcdCluster
    etcd = EtcdCluster(str(tmp_path), members=1).start()
    servers = []
    try:
        for i in range(2):
            d = str(tmp_path / f"server{i}")
            os.makedirs(d)
            join = ["--server", f"https://127.0.0.1:{servers[0].port}", "--token", open(os.path.join(servers[0].data_dir, "token")).read().strip()] \
                if servers else ["--secrets-encryption"]
            servers.append(Server(d, free_port(), extra_args=["--datastore-endpoint", etcd.endpoint, "--node-name", f"server{i}", *join]).start())
            if i == 0:
                Kubectl(servers[0].kubeconfig).run("create", "secret", "generic", "shared", "--from-literal=k=ha-secret-value", "-n", "default")
        first, second = (os.path.join(s.data_dir, "cred", "encryption-config.json") for s in servers)
        assert open(first).read() == open(second).read()
        assert oct(os.stat(second).st_mode & 0o777) == "0o600"
        got = json.loads(Kubectl(servers[1].kubeconfig).run("get", "secret", "shared", "-n", "default", "-o", "json").stdout)
        assert base64.b64decode(got["data"]["k"]) == b"ha-secret-value"
        # And what the second server writes, the first reads.
        Kubectl(servers[1].kubeconfig).run("create", "secret", "generic", "from-second", "--from-literal=k=second-value", "-n", "default")
        got = json.loads(Kubectl(servers[0].kubeconfig).run("get", "secret", "from-second", "-n", "default", "-o", "json").stdout)
        assert base64.b64decode(got["data"]["k"]) == b"second-value"
    finally:
        for s in servers:
            s.stop()
        etcd.stop()
