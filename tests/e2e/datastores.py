"""etcd and PostgreSQL for the HA suites: started by the test on loopback ports of their own, in a
directory of their own, stopped (and restartable, killable) by it. Debian's etcd-server 3.4 and
postgresql 15, as scripts/install-deps installs them; a missing one fails the suite."""
import glob
import os
import secrets
import shutil
import signal
import subprocess
import time

from conftest import free_port


def _wait(cond, timeout, what, log=None):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} not ready after {timeout}s" + (f":\n{open(log).read()[-3000:]}" if log else ""))


class EtcdCluster:
    """An etcd cluster of `members` members on loopback (plain http: the TLS case is --cluster-init's)."""

    def __init__(self, directory, members=1):
        assert shutil.which("etcd"), "etcd is not installed: run scripts/install-deps"
        self.dir = directory
        self.members = [{"name": f"m{i}", "client": free_port(), "peer": free_port(), "proc": None} for i in range(members)]
        self.initial = ",".join(f"{m['name']}=http://127.0.0.1:{m['peer']}" for m in self.members)

    @property
    def endpoint(self):
        return ",".join(f"http://127.0.0.1:{m['client']}" for m in self.members)

    def _start(self, m):
        log = open(os.path.join(self.dir, f"etcd-{m['name']}.log"), "ab")
        m["proc"] = subprocess.Popen(
            ["etcd", "--name", m["name"], "--data-dir", os.path.join(self.dir, m["name"]),
             "--listen-client-urls", f"http://127.0.0.1:{m['client']}", "--advertise-client-urls", f"http://127.0.0.1:{m['client']}",
             "--listen-peer-urls", f"http://127.0.0.1:{m['peer']}", "--initial-advertise-peer-urls", f"http://127.0.0.1:{m['peer']}",
             "--initial-cluster", self.initial, "--initial-cluster-state", "new", "--log-level", "warn"],
            stdout=log, stderr=subprocess.STDOUT)

    def healthy(self, m):
        r = subprocess.run(["curl", "-sf", "-m", "2", "-X", "POST", "-d", "{}", f"http://127.0.0.1:{m['client']}/v3/maintenance/status"],
                           capture_output=True)
        return r.returncode == 0

    def start(self):
        for m in self.members:
            self._start(m)
        for m in self.members:
            _wait(lambda: self.healthy(m), 30, f"etcd {m['name']}", os.path.join(self.dir, f"etcd-{m['name']}.log"))
        return self

    def kill(self, index=None):
        for m in (self.members if index is None else [self.members[index]]):
            if m["proc"] and m["proc"].poll() is None:
                m["proc"].kill()
                m["proc"].wait()

    def restart(self, index=None):
        for m in (self.members if index is None else [self.members[index]]):
            self._start(m)
        for m in (self.members if index is None else [self.members[index]]):
            _wait(lambda: self.healthy(m), 30, f"etcd {m['name']}")

    def stop(self):
        for m in self.members:
            if m["proc"] and m["proc"].poll() is None:
                m["proc"].send_signal(signal.SIGTERM)
                try:
                    m["proc"].wait(timeout=10)
                except subprocess.TimeoutExpired:
                    m["proc"].kill()
                    m["proc"].wait()


class Postgres:
    """PostgreSQL with SCRAM-SHA-256 over TCP, run as the postgres user when the test runs as root."""

    def __init__(self, directory):
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
        assert bins, "PostgreSQL is not installed: run scripts/install-deps"
        self.bin = os.path.dirname(bins[-1])
        self.dir = os.path.join(directory, "pg")
        os.makedirs(self.dir)
        self.port = free_port()
        self.user = "edgectl"
        self.password = "pw-" + secrets.token_hex(8)
        self.proc = None
        self.as_user = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"] if os.geteuid() == 0 else []
        with open(os.path.join(self.dir, "pw"), "w") as f:
            f.write(self.password + "\n")
        if os.geteuid() == 0:
            shutil.chown(directory, "postgres", "postgres")
            subprocess.run(["chown", "-R", "postgres:postgres", self.dir], check=True)
        subprocess.run(self.as_user + [f"{self.bin}/initdb", "-D", os.path.join(self.dir, "data"), "-U", self.user,
                                       f"--pwfile={self.dir}/pw", "--auth-local=trust", "--auth-host=scram-sha-256",
                                       "-E", "UTF8", "--no-locale", "--no-sync"], check=True, capture_output=True)

    def dsn(self, database="postgres"):
        return f"postgres://{self.user}:{self.password}@127.0.0.1:{self.port}/{database}?sslmode=disable"

    def start(self):
        log = open(os.path.join(self.dir, "postgres.log"), "ab")
        self.proc = subprocess.Popen(self.as_user + [f"{self.bin}/postgres", "-D", os.path.join(self.dir, "data"), "-p", str(self.port),
                                                     "-k", self.dir, "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"],
                                     stdout=log, stderr=subprocess.STDOUT)
        _wait(self.ready, 30, "postgres", os.path.join(self.dir, "postgres.log"))
        return self

    def ready(self):
        return self.psql("SELECT 1").returncode == 0

    def psql(self, sql, database="postgres"):
        return subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user, "-d", database, "-c", sql],
                              env=dict(os.environ, PGPASSWORD=self.password), capture_output=True, text=True)

    def create_database(self, name):
        r = self.psql(f"CREATE DATABASE {name}")
        assert r.returncode == 0, r.stderr
        return self.dsn(name)

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
            # A killed postmaster leaves its children; they go when they see it gone. Wait for the port.
            _wait(lambda: subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", str(self.port)], capture_output=True).returncode != 0,
                  15, "postgres to go")

    def restart(self):
        # A killed postmaster's backends hold its shared memory until they notice it gone (a new postmaster
        # refuses to start meanwhile); each backend's cwd is the data dir.
        _wait(lambda: not _processes_in(os.path.join(self.dir, "data")), 15, "the old postmaster's children to exit")
        self.start()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # fast shutdown
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _processes_in(directory):
    """The pids whose working directory is `directory`."""
    found = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                if os.readlink(f"/proc/{p}/cwd") == directory:
                    found.append(int(p))
            except OSError:
                pass
    return found


def share_cluster_ca(first_data_dir, other_data_dir):
    """Until a server joins with --server/--token: the same CA and service-account key for another server."""
    os.makedirs(os.path.join(other_data_dir, "tls"), exist_ok=True)
    for f in ("ca.crt", "ca.key", "service-account.key"):
        shutil.copy(os.path.join(first_data_dir, "tls", f), os.path.join(other_data_dir, "tls", f))
