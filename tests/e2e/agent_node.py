"""A server with its local agent for pod tests, started Ready and always cleaned
up: containers outlive the agent by design, so the test ends them itself."""
import contextlib
import json
import shutil
import tempfile

from conftest import Kubectl, Server, free_port, wait_for
from node_cleanup import cleanup_node


def node_ready(k, name):
    r = k.run("get", "node", name, "-o", "json", check=False)
    return r.returncode == 0 and any(c["type"] == "Ready" and c["status"] == "True" for c in json.loads(r.stdout)["status"].get("conditions", []))


@contextlib.contextmanager
def agent_node(prefix, name, extra_args=(), command_prefix=()):
    """(server, kubectl) for `edgectl server` with its local agent as node `name` (run through `command_prefix`, if given)."""
    d = tempfile.mkdtemp(prefix=prefix)
    s = Server(d, free_port(), extra_args=["--node-name", name, "--agent-api-port", str(free_port()), *extra_args], agent=True,
               command_prefix=command_prefix)
    try:
        s.start()
        k = Kubectl(s.kubeconfig)
        wait_for(lambda: node_ready(k, name), 30, "the local agent's node to be Ready")
        yield s, k
    finally:
        s.stop()
        cleanup_node(d)
        shutil.rmtree(d, ignore_errors=True)
