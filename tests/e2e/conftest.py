"""End-to-end fixtures: a real `edgectl server` on loopback, driven by the real
kubectl v1.37 and the official Python client."""
import itertools
import json
import re
import os
import signal
import socket
import subprocess
import sysconfig
import tempfile
import time

import pytest

EDGECTL = os.environ.get("EDGECTL_BIN", os.path.join(os.path.dirname(__file__), "..", "..", ".build", "edgectl"))
KUBECTL = os.path.join(sysconfig.get_path("scripts"), "kubectl")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """As root (CI is root) every suite must run: a test that skips there, because a tool, a binary
    or a kernel feature it needs is missing, is reported as a failure naming what was missing.
    EDGECTL_E2E_ALLOW_SKIPS=1 lets a developer run a part of the suite on a machine without them."""
    outcome = yield
    report = outcome.get_result()
    if (report.skipped and not hasattr(report, "wasxfail") and os.geteuid() == 0
            and os.environ.get("EDGECTL_E2E_ALLOW_SKIPS") != "1"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped as root, where every suite must run: {reason}"


def wait_for(cond, timeout, what, show=None):
    """cond()'s first truthy value within timeout seconds, polled every 0.3 s; else a failure naming
    `what` and, if given, `show()`: what was seen instead (a pod's status, say)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.3)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}" + (f"; last seen: {show()}" if show else ""))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Agents in the machine's root namespace must not add pod addresses there (DESIGN.md, "Test hosts and
# addresses"), so test servers run with --flannel-backend none (no built-in pod network anywhere in
# the cluster) and their agents, local or joined, with a CNI list holding only Debian's `loopback`
# plugin: pods get a namespace with loopback and no pod IP. An agent started without that list reports
# its network not ready (a failing test), never a bridge in the root namespace. Pod networking itself
# is tested in lab namespaces (test_pod_network.py).
LOOPBACK_ONLY_CNI = {"cniVersion": "1.0.0", "name": "loopback-only", "plugins": [{"type": "loopback"}]}


def loopback_only_agent_args(data_dir):
    """Flags for an agent (`edgectl agent`/`join`, or a server's local one) in the root namespace."""
    d = os.path.join(data_dir, "cni-loopback")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "10-loopback.conflist"), "w") as f:
        json.dump(LOOPBACK_ONLY_CNI, f)
    # Nor its iptables: no service proxy, and so no node-local cluster DNS (DESIGN.md, "Test hosts and addresses").
    return ["--cni-conf-dir", d, "--disable-kube-proxy"]


def loopback_only_network_args(data_dir):
    """Server flags: no built-in pod network, and a loopback-only local agent."""
    return ["--flannel-backend", "none", *loopback_only_agent_args(data_dir)]


DEV_KUBECONFIG = """apiVersion: v1
kind: Config
clusters: [{name: dev, cluster: {server: "http://127.0.0.1:PORT"}}]
contexts: [{name: dev, context: {cluster: dev, user: dev}}]
current-context: dev
users: [{name: dev, user: {}}]
"""


class Server:
    """One edgectl server process with its own data dir and port."""

    def __init__(self, data_dir, port, extra_args=(), agent=False, command_prefix=(), command=None):
        self.data_dir = data_dir
        self.port = port
        self.extra_args = list(extra_args)
        # Run through a wrapper, e.g. setpriv to start the node with a smaller capability bounding set.
        self.command_prefix = list(command_prefix)
        # The binary to run: EDGECTL, or a board binary under qemu-user (test_boards*.py).
        self.command = list(command or [EDGECTL])
        # Most suites test the control plane alone; pod suites run the local agent (root only).
        self.agent = agent
        if "--flannel-backend" not in self.extra_args:
            self.extra_args += loopback_only_network_args(data_dir) if agent else ["--flannel-backend", "none"]
        self.proc = None
        self.log_path = os.path.join(data_dir, "server.log")

    @property
    def kubeconfig(self):
        return os.path.join(self.data_dir, "kubeconfig.yaml")

    def start(self, timeout=None):
        # Under qemu-user a server takes several times longer to start.
        timeout = timeout or (30 if self.command == [EDGECTL] else 180)
        log = open(self.log_path, "ab")
        if os.environ.get("EDGECTL_E2E_DEV"):
            # Debugging aid: the plain-HTTP in-memory dev server (never what CI runs).
            with open(self.kubeconfig, "w") as f:
                f.write(DEV_KUBECONFIG.replace("PORT", str(self.port)))
            self.proc = subprocess.Popen([EDGECTL, "dev-server", "--port", str(self.port)], stdout=log, stderr=subprocess.STDOUT)
            time.sleep(0.5)
            return self
        self.proc = subprocess.Popen(
            self.command_prefix + self.command + ["server", "--data-dir", self.data_dir, "--bind-address", "127.0.0.1",
             "--https-listen-port", str(self.port)]
            # A local agent in the root namespace must not program the machine's iptables (DESIGN.md,
            # "Test hosts and addresses"): its service proxy and cluster DNS are off; lab tests run them.
            + ((["--disable-kube-proxy"] if "--disable-kube-proxy" not in self.extra_args else []) if self.agent else ["--disable-agent"])
            + self.extra_args,
            stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("edgectl server exited early:\n" + open(self.log_path).read()[-4000:])
            if os.path.exists(self.kubeconfig):
                r = subprocess.run([KUBECTL, "--kubeconfig", self.kubeconfig, "get", "--raw", "/readyz"],
                                   capture_output=True, text=True)
                if r.returncode == 0:
                    return self
            time.sleep(0.2)
        raise RuntimeError("edgectl server did not become ready:\n" + open(self.log_path).read()[-4000:])

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def kill9(self):
        self.proc.kill()
        self.proc.wait()


class Kubectl:
    def __init__(self, kubeconfig):
        self.kubeconfig = kubeconfig

    def run(self, *args, input=None, check=True, env=None, timeout=60):
        e = dict(os.environ)
        if env:
            e.update(env)
        r = subprocess.run([KUBECTL, "--kubeconfig", self.kubeconfig, *args], input=input,
                           capture_output=True, text=True, env=e, timeout=timeout)
        if check and r.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
        return r

    def json(self, *args):
        return json.loads(self.run(*args, "-o", "json").stdout)


@pytest.fixture(scope="module", autouse=True)
def root_namespace_stays_clean(request):
    """Fails the module that left edgectl's network in the root namespace (and clears it, so the
    next module is judged on its own). A leftover from an earlier, killed run is cleared first."""
    if os.geteuid() != 0:
        yield
        return
    import root_namespace
    if root_namespace.leftovers():
        root_namespace.clear()
    yield
    left = root_namespace.leftovers()
    if left:
        root_namespace.clear()
        pytest.fail(f"{request.module.__name__} left edgectl's network in the root namespace: {left}")


@pytest.fixture(scope="session")
def server():
    with tempfile.TemporaryDirectory(prefix="edgectl-e2e-") as d:
        s = Server(d, free_port()).start()
        yield s
        s.stop()


@pytest.fixture(scope="session")
def kubectl(server):
    return Kubectl(server.kubeconfig)


@pytest.fixture(scope="session")
def api(server):
    from kubernetes import client, config
    cfg = client.Configuration()
    config.load_kube_config(config_file=server.kubeconfig, client_configuration=cfg)
    return client.ApiClient(cfg)


_ns_counter = itertools.count()


@pytest.fixture
def namespace(kubectl, request):
    base = re.sub(r"[^a-z0-9-]+", "-", request.node.originalname.lower())[:40].strip("-")
    name = f"t-{base}-{next(_ns_counter)}-{int(time.time() * 1000) % 100000}"
    kubectl.run("create", "namespace", name)
    yield name
    kubectl.run("delete", "namespace", name, "--wait=false", check=False)
