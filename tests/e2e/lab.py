"""The multi-node lab for tests: a thin wrapper over scripts/lab, so the tests
exercise the same set-up users run by hand. Everything lives in network
namespaces named after a per-run prefix (parallel runs on one machine do not
collide); the root namespace never gets an address or route in the lab range."""
import os
import re
import shutil
import subprocess

from conftest import EDGECTL, KUBECTL

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "lab")
SERVER_IP = "10.250.0.1"
PORT = 6443
# The agents' --proxy-mode (scripts/lab passes EDGELAB_PROXY_MODE on); unset: edgectl's default.
PROXY_MODE = os.environ.get("EDGELAB_PROXY_MODE") or "nftables"
NFT_TABLE = ["ip", "edgectl-proxy"]


def node_ip(node):
    return f"10.250.0.{10 + int(node.removeprefix('node'))}"


def unavailable():
    """Why the lab cannot run here, or None."""
    if os.geteuid() != 0:
        return "the lab needs root (network namespaces)"
    if not shutil.which("ip"):
        return "the lab needs iproute2 (`ip`)"
    return None


class Lab:
    def __init__(self, prefix, directory):
        self.prefix = prefix
        self.dir = directory
        self.env = dict(os.environ, EDGELAB_PREFIX=prefix, EDGELAB_DIR=directory,
                        EDGECTL_BIN=os.path.abspath(EDGECTL), KUBECTL=KUBECTL)

    @property
    def kubeconfig(self):
        return os.path.join(self.dir, "server", "kubeconfig.yaml")

    def script(self, *args, check=True, timeout=90):
        r = subprocess.run([SCRIPT, *args], env=self.env, capture_output=True, text=True, timeout=timeout)
        if check and r.returncode != 0:
            raise AssertionError(f"scripts/lab {' '.join(args)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}\n{self.server_log()}")
        return r

    def up(self, nodes, server_args=()):
        return self.script("up", "--nodes", str(nodes), *(["--", *server_args] if server_args else []))

    def down(self):
        return self.script("down")

    def tear_down(self, directory):
        """`down`, also after a failure, and `directory` (the lab's temp dir) removed; then fails if the
        lab left a namespace or a mount under `directory` behind."""
        self.script("down", check=False)
        left = self.namespaces()
        mounts = [line.split()[1] for line in open("/proc/mounts") if line.split()[1].startswith(os.path.realpath(directory))]
        shutil.rmtree(directory, ignore_errors=True)
        assert left == [], f"lab left namespaces behind: {left}"
        assert mounts == [], f"lab left mounts behind: {mounts}"

    def namespaces(self):
        out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
        return sorted(l.split()[0] for l in out.splitlines() if l.startswith(self.prefix + "-"))

    def proxy_rules(self, node):
        """The node's service proxy rules as text (for a failed wait's message and for looking things up)."""
        if PROXY_MODE == "nftables":
            return self.run(node, "nft", "list", "table", *NFT_TABLE).stdout
        return self.run(node, "iptables-save", "-t", "nat").stdout + self.run(node, "iptables-save", "-t", "filter").stdout

    def proxy_rejects(self, node, ip):
        """Whether the node's proxy refuses connections to ip (a service without endpoints)."""
        if PROXY_MODE == "nftables":
            out = self.run(node, "nft", "list", "map", *NFT_TABLE, "no-endpoint-services").stdout
            return any(ip + " . " in l and "reject" in l for l in out.replace(",", "\n").splitlines())
        return any(f"-d {ip}/32" in l and "REJECT" in l for l in self.run(node, "iptables-save", "-t", "filter").stdout.splitlines())

    def break_proxy_rules(self, node):
        """Deletes the service dispatch and its hook by hand, as an admin might."""
        if PROXY_MODE == "nftables":
            for chain in ("services", "nat-prerouting"):
                self.run(node, "nft", "flush", "chain", *NFT_TABLE, chain, check=True)
            return
        import shlex
        self.run(node, "iptables", "-t", "nat", "-F", "EDGE-SERVICES", check=True)
        pre = [l for l in self.run(node, "iptables-save", "-t", "nat").stdout.splitlines() if l.startswith("-A PREROUTING") and "EDGE-SERVICES" in l]
        self.run(node, "iptables", "-t", "nat", "-D", "PREROUTING", *shlex.split(pre[0])[2:], check=True)

    def run(self, name, *argv, check=False, timeout=60):
        """argv in namespace `name` (server, net, nodeK)."""
        r = subprocess.run(["ip", "netns", "exec", f"{self.prefix}-{name}", *argv], capture_output=True, text=True, timeout=timeout)
        if check and r.returncode != 0:
            raise AssertionError(f"{' '.join(argv)} in {name} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
        return r

    def kubectl(self, *args, check=True):
        return self.run("server", KUBECTL, "--kubeconfig", self.kubeconfig, *args, check=check)

    def token(self, *extra):
        """(url, token, ca hash) from `edgectl token create` in the server namespace."""
        out = self.script("token", *extra).stdout.strip()
        m = re.fullmatch(r"edgectl join (https://\S+) --token ([a-z0-9]{6}\.[a-z0-9]{16}) --ca-cert-hash (sha256:[0-9a-f]{64})", out)
        assert m, out
        return m.group(1), m.group(2), m.group(3)

    def join_only(self, node, url, token, ca_hash, data_dir):
        """`edgectl join --no-agent` in the node's namespace: credentials only, the result returned."""
        return self.run(node, EDGECTL, "join", url, "--token", token, "--ca-cert-hash", ca_hash,
                        "--data-dir", data_dir, "--node-name", node, "--no-agent", timeout=90)

    def server_log(self):
        try:
            return open(os.path.join(self.dir, "server.log")).read()[-3000:]
        except OSError:
            return ""


class SynCounter:
    """Counts TCP connections a node namespace opens to the server: an iptables
    rule matching SYNs in that namespace's OUTPUT chain (it dies with the namespace)."""

    def __init__(self, lab, node):
        self.lab, self.node = lab, node
        self.rule = ["OUTPUT", "-p", "tcp", "-d", SERVER_IP, "--dport", str(PORT), "--syn", "-j", "ACCEPT"]
        if lab.run(node, "iptables", "-w", "-C", *self.rule).returncode != 0:
            lab.run(node, "iptables", "-w", "-I", *self.rule, check=True)

    def reset(self):
        self.lab.run(self.node, "iptables", "-w", "-Z", "OUTPUT", check=True)

    def count(self):
        out = self.lab.run(self.node, "iptables", "-w", "-nvxL", "OUTPUT", check=True).stdout
        for line in out.splitlines():
            f = line.split()
            if len(f) > 8 and f[0].isdigit() and f[2] == "ACCEPT" and f[8] == SERVER_IP and f"dpt:{PORT}" in line:
                return int(f[0])
        raise AssertionError("SYN counting rule not found:\n" + out)
