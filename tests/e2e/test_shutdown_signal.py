"""A daemon stops in order whenever SIGTERM comes: while it is still starting, the moment it
prints its ready line (when supervisors and tests send it), or later. The signal was once lost
when it landed while the server set up its signal handling, and the server never stopped."""
import signal
import subprocess
import time

import pytest

from conftest import EDGECTL, free_port


@pytest.mark.parametrize("delay", [0.2, 0.6, 1.0, 1.5, 2.5])
def test_sigterm_at_any_moment_of_start_stops_the_server_in_order(tmp_path, delay):
    log = tmp_path / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([EDGECTL, "server", "--data-dir", str(tmp_path / "data"), "--bind-address", "127.0.0.1",
                                 "--https-listen-port", str(free_port()), "--disable-agent"], stdout=out, stderr=subprocess.STDOUT)
    try:
        time.sleep(delay)
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"SIGTERM {delay} s after start was lost: the server still runs\n" + log.read_text()[-3000:])
        text = log.read_text()
        assert "shutting down" in text, f"SIGTERM {delay} s after start killed the server instead of stopping it in order:\n{text[-3000:]}"
        assert proc.returncode == 0, (proc.returncode, text[-3000:])
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
