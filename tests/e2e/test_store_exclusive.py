"""The SQLite store is open for the server's process alone: its WAL index lives in the process's memory
(no `-shm` file whose pages every commit dirtied on the card), so nothing else may open state.db while
the server runs. What used to read the file beside the server goes through the server or is refused
with the fix named: `edgectl backup save` (the server takes the snapshot), `edgectl store recover`,
a second server on the same data dir, and the sqlite3 shell (locked)."""
import json
import os
import subprocess
import tempfile

from conftest import EDGECTL, Kubectl, Server, free_port


def test_running_server_keeps_no_shm_and_backs_up_through_itself():
    with tempfile.TemporaryDirectory(prefix="edgectl-excl-") as d:
        s = Server(d, free_port()).start()
        try:
            k = Kubectl(s.kubeconfig)
            k.run("create", "configmap", "kept", "--from-literal=a=b", "-n", "default")
            db = os.path.join(d, "db", "state.db")
            assert os.path.exists(db + "-wal")
            assert not os.path.exists(db + "-shm"), "the WAL index is in the server's memory, not in a file on the card"
            sock = os.path.join(d, "backup.sock")
            assert oct(os.stat(sock).st_mode & 0o777) == "0o600", "only the server's user may ask for a backup"
            # Another process cannot open the store beside the server.
            r = subprocess.run(["sqlite3", db, "SELECT COUNT(*) FROM kv"], capture_output=True, text=True, timeout=30)
            assert r.returncode != 0 and "locked" in r.stderr, (r.returncode, r.stdout, r.stderr)
            # A backup is taken by the server, while it runs, and holds what it acknowledged.
            r = subprocess.run([EDGECTL, "backup", "save", "--data-dir", d, "--name", "live"], capture_output=True, text=True, timeout=60)
            assert r.returncode == 0, r.stderr
            snapshot = r.stdout.strip()
            assert os.path.basename(snapshot).startswith("live-") and snapshot.endswith(".db"), snapshot
            assert oct(os.stat(snapshot).st_mode & 0o777) == "0o600"
            out = subprocess.run(["sqlite3", snapshot, "SELECT COUNT(*) FROM kv WHERE name = '/registry/configmaps/default/kept'"],
                                 capture_output=True, text=True, check=True).stdout.strip()
            assert out != "0", out
            # A bad name is refused by the CLI before it asks the server.
            r = subprocess.run([EDGECTL, "backup", "save", "--data-dir", d, "--name", "Bad/Name"], capture_output=True, text=True, timeout=60)
            assert r.returncode != 0
            # Recovery and a second server on the same data dir say that a server runs there.
            r = subprocess.run([EDGECTL, "store", "recover", "--data-dir", d], capture_output=True, text=True, timeout=60)
            assert r.returncode != 0 and "running" in r.stderr + r.stdout, r.stderr
            second = subprocess.run([EDGECTL, "server", "--data-dir", d, "--bind-address", "127.0.0.1", "--https-listen-port", str(free_port()),
                                     "--disable-agent", "--flannel-backend", "none"], capture_output=True, text=True, timeout=60)
            assert second.returncode != 0 and "running" in second.stderr + second.stdout, second.stderr[-2000:]
            assert json.loads(k.run("get", "configmap", "kept", "-o", "json").stdout)["data"] == {"a": "b"}, "the first server serves on"
        finally:
            s.stop()
        # Stopped, the store is an ordinary SQLite file again.
        out = subprocess.run(["sqlite3", db, "SELECT COUNT(*) FROM kv WHERE name = '/registry/configmaps/default/kept'"],
                             capture_output=True, text=True, check=True).stdout.strip()
        assert out != "0"
        # And the CLI takes a backup itself when no server runs.
        r = subprocess.run([EDGECTL, "backup", "save", "--data-dir", d, "--name", "stopped"], capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        assert os.path.exists(r.stdout.strip())
