"""edgectl install / killall / reset / uninstall, tested without a running systemd: units are
checked with `systemd-analyze verify` in a tree of their own, killall and reset against a node
with running pods (a data dir and network namespace of the test's own, so nothing else on the
machine is touched). Root only for the pod and network parts."""
import glob
import json
import os
import shutil
import stat
import subprocess
import tempfile
import uuid

import pytest

from conftest import EDGECTL, Kubectl, Server, free_port, wait_for
from local_registry import serving_images
from node_cleanup import cleanup_node

TOKEN = "abcdef.0123456789abcdef"
HASH = "sha256:" + "ab" * 32
root_only = pytest.mark.skipif(os.geteuid() != 0, reason="pods and network namespaces need root")


def edgectl(*args, check=True, **kw):
    r = subprocess.run([EDGECTL, *args], capture_output=True, text=True, timeout=120, **kw)
    if check and r.returncode != 0:
        raise AssertionError(f"edgectl {' '.join(args)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    return r


def mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def verify_unit(root, unit):
    """systemd-analyze verify in the install tree (with systemd's own units copied in, so targets
    resolve); any complaint about the unit is a failure, not only a non-zero exit."""
    os.makedirs(os.path.join(root, "usr/lib/systemd"), exist_ok=True)
    if not os.path.exists(os.path.join(root, "usr/lib/systemd/system")):
        shutil.copytree("/usr/lib/systemd/system", os.path.join(root, "usr/lib/systemd/system"), symlinks=True)
    r = subprocess.run(["systemd-analyze", "verify", f"--root={root}", f"/etc/systemd/system/{unit}"], capture_output=True, text=True)
    complaints = [l for l in (r.stdout + r.stderr).splitlines() if unit in l or "edgectl" in l]
    return r.returncode, complaints


def test_install_agent_writes_a_verified_unit_and_a_private_token_file():
    root = tempfile.mkdtemp(prefix="edgectl-install-")
    try:
        edgectl("install", "agent", "--root", root, "--server", "https://192.0.2.10:6443", "--token", TOKEN,
                "--ca-cert-hash", HASH, "--node-name", "pi-1", "--binary", EDGECTL)
        unit_path = os.path.join(root, "etc/systemd/system/edgectl-agent.service")
        unit = open(unit_path).read()
        for line in ["Restart=always", "After=network-online.target", "Wants=network-online.target", "KillMode=process",
                     "Delegate=yes", "EnvironmentFile=-/etc/edgectl/agent.env", "WantedBy=multi-user.target",
                     "ExecStart=/usr/local/bin/edgectl agent --data-dir /var/lib/edgectl/agent --node-name pi-1"]:
            assert line in unit.splitlines(), f"{line} missing from\n{unit}"
        assert TOKEN not in unit and TOKEN.split(".")[1] not in unit, "the token never goes into the unit"
        env_path = os.path.join(root, "etc/edgectl/agent.env")
        assert mode(env_path) == 0o600 and mode(os.path.dirname(env_path)) == 0o700
        assert f"EDGECTL_TOKEN={TOKEN}" in open(env_path).read().splitlines()
        assert mode(unit_path) == 0o644
        assert mode(os.path.join(root, "var/lib/edgectl/agent")) == 0o700
        assert mode(os.path.join(root, "var/lib")) == 0o755, "parents are not made private"
        assert mode(os.path.join(root, "usr/local/bin/edgectl")) == 0o755
        assert os.readlink(os.path.join(root, "etc/systemd/system/multi-user.target.wants/edgectl-agent.service")) == \
            "/etc/systemd/system/edgectl-agent.service"
        rc, complaints = verify_unit(root, "edgectl-agent.service")
        assert rc == 0 and complaints == [], complaints
        # The check can fail: a broken unit is caught.
        open(unit_path, "a").write("\n[Service]\nKillMode=sometimes\n")
        assert verify_unit(root, "edgectl-agent.service")[1], "a bad KillMode must be reported"
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_install_server_passes_extra_arguments_and_reset_removes_units():
    root = tempfile.mkdtemp(prefix="edgectl-install-")
    try:
        edgectl("install", "server", "--root", root, "--binary", EDGECTL, "--", "--tls-san", "pi.lan", "--https-listen-port", "6443")
        unit = open(os.path.join(root, "etc/systemd/system/edgectl-server.service")).read()
        assert "ExecStart=/usr/local/bin/edgectl server --data-dir /var/lib/edgectl/server --tls-san pi.lan --https-listen-port 6443" in unit
        assert verify_unit(root, "edgectl-server.service") == (0, [])
        r = edgectl("install", "agent", "--root", root, "--server", "https://x:6443", "--token", TOKEN, "--ca-cert-hash", HASH,
                    "--", "--token", TOKEN, check=False)
        assert r.returncode != 0 and "settings file" in r.stderr
        r = edgectl("install", "agent", "--root", root, "--server", "https://x:6443", "--token", "nope", "--ca-cert-hash", HASH, check=False)
        assert r.returncode != 0 and "--token must look like" in r.stderr
        os.makedirs(os.path.join(root, "var/lib/edgectl/server/db"))
        open(os.path.join(root, "var/lib/edgectl/server/db/state.db"), "w").write("x")
        edgectl("uninstall", "--root", root, "--data-dir", "/var/lib/edgectl", "--keep-network")
        left = sorted(os.path.relpath(p, root) for p in glob.glob(root + "/**", recursive=True)
                      if not p.startswith(root + "/usr/lib/systemd"))
        assert left == [".", "etc", "etc/systemd", "etc/systemd/system", "etc/systemd/system/multi-user.target.wants",
                        "usr", "usr/lib", "usr/local", "usr/local/bin", "var", "var/lib"], left
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_reset_refuses_directories_that_are_not_edgectls():
    root = tempfile.mkdtemp(prefix="edgectl-notmine-")
    try:
        os.makedirs(os.path.join(root, "home/me"))
        open(os.path.join(root, "home/me/thesis.tex"), "w").write("precious")
        r = edgectl("reset", "--root", root, "--data-dir", "/home/me", "--keep-network", check=False)
        assert r.returncode != 0 and "does not look like an edgectl data directory" in r.stderr, r.stderr
        assert os.path.exists(os.path.join(root, "home/me/thesis.tex"))
        r = edgectl("reset", "--root", root, "--data-dir", "/var", "--keep-network", check=False)
        assert r.returncode != 0 and "refusing to remove /var" in r.stderr
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def registry():
    if not shutil.which("docker-registry") or not shutil.which("skopeo") or os.geteuid() != 0:
        pytest.fail("killall/reset tests need root, docker-registry and skopeo (scripts/install-deps)")
    with serving_images(names=("busybox",)) as r:
        yield r


def edgectl_left(data_dir, pod_uids):
    """Processes, mounts and cgroups of edgectl on this data dir still present."""
    real = os.path.realpath(data_dir)
    procs = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            args = open(f"/proc/{pid}/cmdline", "rb").read().decode(errors="replace").split("\0")
        except OSError:
            continue
        if len(args) > 1 and args[0].endswith("edgectl") and args[1] not in ("killall", "reset") and any(real in a for a in args):
            procs.append(f"{pid}: {' '.join(args)}")
    mounts = [l.split()[4] for l in open("/proc/self/mountinfo") if l.split()[4].startswith(real)]
    cgroups = [p for uid in pod_uids for p in glob.glob(f"/sys/fs/cgroup/*/edgectl/pod{uid}") + glob.glob(f"/sys/fs/cgroup/edgectl/pod{uid}")]
    return procs, mounts, cgroups


@root_only
def test_killall_then_reset_leave_nothing_of_a_node_with_running_pods(registry):
    root = tempfile.mkdtemp(prefix="edgectl-killall-")
    d = os.path.join(root, "var/lib/edgectl/server")
    os.makedirs(d)
    s = Server(d, free_port(), extra_args=["--node-name", "killall-node", "--agent-api-port", str(free_port())], agent=True)
    try:
        s.start()
        k = Kubectl(s.kubeconfig)
        deploy = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "sleepers"},
                  "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "s"}},
                           "template": {"metadata": {"labels": {"app": "s"}},
                                        "spec": {"terminationGracePeriodSeconds": 1, "containers": [
                                            {"name": "c", "image": registry.image("busybox"), "command": ["sleep", "3600"]}],
                                            "volumes": [{"name": "scratch", "emptyDir": {"medium": "Memory"}}]}}}}
        deploy["spec"]["template"]["spec"]["containers"][0]["volumeMounts"] = [{"name": "scratch", "mountPath": "/scratch"}]
        k.run("apply", "-f", "-", input=json.dumps(deploy))

        def running():
            pods = json.loads(k.run("get", "pods", "-o", "json").stdout)["items"]
            ok = [p for p in pods if p["status"].get("phase") == "Running"]
            return ok if len(ok) == 3 else None
        pods = wait_for(running, 90, "3 running pods", show=lambda: k.run("get", "pods", "-o", "wide").stdout)
        uids = [p["metadata"]["uid"] for p in pods]
        procs, mounts, cgroups = edgectl_left(d, uids)
        assert procs and mounts and cgroups, "the node runs pods before killall"

        r = edgectl("killall", "--data-dir", d, "--keep-network")
        assert "problem" not in r.stdout, r.stdout
        assert s.proc.wait(timeout=15) is not None, "the server on that data dir was stopped"
        assert edgectl_left(d, uids) == ([], [], []), r.stdout
        assert os.path.exists(os.path.join(d, "db")), "killall keeps the data"

        edgectl("reset", "--root", root, "--keep-network")
        assert not os.path.exists(os.path.join(root, "var/lib/edgectl")) and os.path.exists(os.path.join(root, "var/lib"))
    finally:
        s.stop()
        cleanup_node(d)
        shutil.rmtree(root, ignore_errors=True)


@root_only
def test_killall_removes_edgectls_interfaces_and_chains_and_nothing_else():
    ns = "edgectl-killall-" + uuid.uuid4().hex[:6]
    d = tempfile.mkdtemp(prefix="edgectl-killall-net-")
    subprocess.run(["ip", "netns", "add", ns], check=True)
    try:
        def run(*a, check=True):
            return subprocess.run(["ip", "netns", "exec", ns, *a], capture_output=True, text=True, check=check)
        for name in ["edge0", "keep0", "edgelab0"]:
            run("ip", "link", "add", name, "type", "bridge")
        run("ip", "link", "add", "edge.1", "type", "vxlan", "id", "1", "dstport", "8472")
        run("ip", "link", "add", "edgevdeadbeef", "type", "veth", "peer", "name", "podside0")
        for table, chain, parent in [("filter", "EDGE-FORWARD", "FORWARD"), ("nat", "EDGE-SERVICES", "PREROUTING"), ("filter", "KEEP-ME", "INPUT")]:
            run("iptables", "-w", "-t", table, "-N", chain)
            run("iptables", "-w", "-t", table, "-A", parent, "-m", "comment", "--comment", "a rule with spaces", "-j", chain)
        run("iptables", "-w", "-t", "nat", "-N", "EDGE-SVC-X")
        run("iptables", "-w", "-t", "nat", "-A", "EDGE-SERVICES", "-j", "EDGE-SVC-X")
        # The proxy's nftables mode: its table goes, another table stays.
        for t in ["edgectl-proxy", "keep-me"]:
            run("nft", "add", "table", "ip", t)
            run("nft", "add", "chain", "ip", t, "c", "{ type nat hook prerouting priority -100 ; }")
        r = run(EDGECTL, "killall", "--data-dir", d)
        links = run("ip", "-o", "link", "show").stdout
        assert "keep0" in links and "edgelab0" in links
        for gone in ["edge0:", "edge.1:", "edgevdeadbeef:"]:
            assert gone not in links, f"{gone} left:\n{links}\n{r.stdout}"
        saved = run("iptables-save").stdout
        assert "EDGE-" not in saved, saved
        assert ":KEEP-ME" in saved and "-A INPUT" in saved and "-j KEEP-ME" in saved
        tables = run("nft", "list", "tables").stdout.splitlines()
        assert "table ip keep-me" in tables and "table ip edgectl-proxy" not in tables, (tables, r.stdout)
    finally:
        subprocess.run(["ip", "netns", "del", ns])
        shutil.rmtree(d, ignore_errors=True)
