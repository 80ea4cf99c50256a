"""Issue 9 item 12: `edgectl server` offers a join command on a terminal only,
reusing a valid token instead of making one per start; a log gets no token."""
import os
import pty
import re
import select
import subprocess
import time

from conftest import EDGECTL, Server, free_port

TOKEN = re.compile(r"[a-z0-9]{6}\.[a-z0-9]{16}")
JOIN = re.compile(r"edgectl join https://\S+ --token ([a-z0-9]{6})\.[a-z0-9]{16} --ca-cert-hash sha256:[0-9a-f]{64}")


def start_on_terminal(data_dir, port, timeout=60):
    """The server with its stdout on a pseudo-terminal, as someone running it by hand; (process, the join line's token id)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([EDGECTL, "server", "--data-dir", data_dir, "--bind-address", "127.0.0.1", "--https-listen-port", str(port),
                             "--disable-agent"], stdout=slave, stderr=subprocess.DEVNULL)
    os.close(slave)
    seen = b""
    deadline = time.time() + timeout
    try:
        while time.time() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    seen += os.read(master, 4096)
                except OSError:
                    break
            m = JOIN.search(seen.decode(errors="replace"))
            if m:
                return proc, m.group(1)
            if proc.poll() is not None:
                break
        proc.terminate()
        raise AssertionError("no join line on the terminal:\n" + seen.decode(errors="replace"))
    finally:
        os.close(master)


def stop(proc):
    proc.terminate()
    proc.wait(timeout=30)


def token_ids(data_dir):
    out = subprocess.run([EDGECTL, "token", "list", "--kubeconfig", os.path.join(data_dir, "kubeconfig.yaml")],
                         capture_output=True, text=True, check=True).stdout
    return [line.split()[0] for line in out.splitlines()[1:] if line.strip()]


def test_restarts_reuse_the_token_and_logs_get_none(tmp_path):
    d = str(tmp_path)
    port = free_port()
    proc, first = start_on_terminal(d, port)
    stop(proc)
    proc, second = start_on_terminal(d, port)
    stop(proc)
    assert second == first, "a restart offers the valid token it made before"

    # Started with its output going to a log (systemd, nohup, a test): no token in it, and none made.
    srv = Server(d, port).start()
    try:
        log = open(srv.log_path).read()
        assert not TOKEN.search(log), "a join token reached a log file:\n" + log
        assert "edgectl token create" in log, log
        assert token_ids(d) == [first], "three starts, one token"
    finally:
        srv.stop()

    # Asked for explicitly, the line goes to the log too (with the same token).
    srv = Server(d, port, extra_args=["--print-join-command"]).start()
    try:
        m = JOIN.search(open(srv.log_path).read())
        assert m and m.group(1) == first, open(srv.log_path).read()
    finally:
        srv.stop()


def test_an_expiring_token_is_not_offered(tmp_path):
    d = str(tmp_path)
    port = free_port()
    srv = Server(d, port).start()
    try:
        short = subprocess.run([EDGECTL, "token", "create", "--kubeconfig", srv.kubeconfig, "--ttl", "10m", "--token-only"],
                               capture_output=True, text=True, check=True).stdout.strip()
    finally:
        srv.stop()
    proc, offered = start_on_terminal(d, port)
    stop(proc)
    assert offered != short.split(".")[0], "a token with minutes left is not offered to a board still to be flashed"
    srv = Server(d, port).start()
    try:
        assert sorted(token_ids(d)) == sorted([offered, short.split(".")[0]])
    finally:
        srv.stop()
