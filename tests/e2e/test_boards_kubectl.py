"""The kubectl scenario (test_kubectl.py) again, against each board binary's server
(SQLite store, TLS) under qemu-user: the same tests, only the server differs."""
import tempfile

import pytest

import conftest
from boards import BOARDS, command
from test_kubectl import *  # noqa: F401,F403 -- the scenario's tests, collected here once per board


@pytest.fixture(scope="module", params=sorted(BOARDS))
def server(request):
    with tempfile.TemporaryDirectory(prefix=f"edgectl-e2e-{request.param}-") as d:
        s = conftest.Server(d, conftest.free_port(), command=command(request.param)).start()
        yield s
        s.stop()


@pytest.fixture(scope="module")
def kubectl(server):
    return conftest.Kubectl(server.kubeconfig)
