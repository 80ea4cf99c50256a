"""Secrets encrypted at rest (`edgectl server --secrets-encryption`): not readable in the SQLite
file (checked with sqlite3), read back through the API, still readable after a key rotation and a
restart that rewrites them under the new key."""
import base64
import json
import os
import subprocess
import tempfile

from conftest import Kubectl, Server, free_port, EDGECTL


def stored_value(data_dir, key):
    db = os.path.join(data_dir, "db", "state.db")
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
