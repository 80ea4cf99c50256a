"""edgectl flash on synthetic images with Raspberry Pi OS's, Hardkernel's, Armbian's and a UEFI
distribution's layouts: every file that should change does and nothing else does; bad inputs are
refused before anything is written; a card written to a (loop) block device reads back the same;
and the first-boot hook, run from a flashed root filesystem in a scripts/lab node namespace,
joins the lab's server."""
import json
import os
import shutil
import subprocess
import tempfile
import uuid

import pytest

import board_images as bi
from conftest import EDGECTL, wait_for
from lab import Lab, unavailable
from node_cleanup import cleanup_node

TOKEN = "abcdef.0123456789abcdef"
HASH = "sha256:" + "cd" * 32
SERVER = "https://192.0.2.10:6443"   # TEST-NET-1: never contacted (--offline)
JOIN = ["--server", SERVER, "--token", TOKEN, "--ca-cert-hash", HASH]


@pytest.fixture()
def work():
    d = tempfile.mkdtemp(prefix="edgectl-flash-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


def flash(*args, check=True, cwd=None):
    r = subprocess.run([EDGECTL, "flash", *args], capture_output=True, text=True, timeout=300, cwd=cwd)
    if check and r.returncode != 0:
        raise AssertionError(f"edgectl flash failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    return r


def flashed(work, layout, board, arch="arm64", extra=(), binary=None):
    img = bi.build(layout, os.path.join(work, layout + ".img"), arch)
    binary = binary or bi.fake_binary(os.path.join(work, f"edgectl-{arch}"), arch)
    out = os.path.join(work, layout + "-card.img")
    before = bi.snapshot(img)
    r = flash("--board", board, "--image", img, *JOIN, "--hostname", "node-a", "--output", out, "--binary", binary, "--offline", *extra)
    return bi.diff(before, bi.snapshot(out)), bi.snapshot(out), r


ROOT_ADDED = {"/usr/local/bin/edgectl", "/etc/edgectl", "/etc/edgectl/join.env", "/etc/systemd/system/edgectl-firstboot.service"}
ENABLED = {"/etc/systemd/system/multi-user.target.wants", "/etc/systemd/system/multi-user.target.wants/edgectl-firstboot.service"}


def keys(entries, part):
    return {path for (p, path) in entries if p == part}


def test_raspberry_pi_os_bookworm(work):
    key = os.path.join(work, "id.pub")
    open(key, "w").write("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMc6 me@laptop\n")
    (added, changed, removed), after, r = flashed(work, "raspios-bookworm", "rpi4",
                                                 extra=("--ssh-key", key, "--wifi", "home:correct horse"))
    assert removed == set()
    assert keys(added, 1) == {"/ssh"} and keys(changed, 1) == {"/cmdline.txt"}, "config.txt, the kernel and overlays stay as they were"
    assert keys(added, 2) == ROOT_ADDED | ENABLED | {"/root/.ssh", "/root/.ssh/authorized_keys",
                                                     "/etc/NetworkManager/system-connections/edgectl-wifi.nmconnection"}
    changed_files = {k for k in keys(changed, 2) if after[(2, k)][0] != "dir"}
    assert changed_files == {"/etc/hostname", "/etc/hosts"}, "only files flash writes change (directories only gain entries)"
    for path, mode in [("/etc/edgectl/join.env", 0o600), ("/etc/edgectl", 0o700), ("/root/.ssh/authorized_keys", 0o600),
                       ("/root/.ssh", 0o700), ("/usr/local/bin/edgectl", 0o755),
                       ("/etc/NetworkManager/system-connections/edgectl-wifi.nmconnection", 0o600)]:
        assert after[(2, path)][1] == mode and after[(2, path)][2] == 0, f"{path}: {after[(2, path)]}"
    assert after[(2, "/etc/systemd/system/multi-user.target.wants/edgectl-firstboot.service")][4] == "/etc/systemd/system/edgectl-firstboot.service"
    card = os.path.join(work, "raspios-bookworm-card.img")
    boot = bi.partitions(card)[0][0]
    cmdline = subprocess.run(["mcopy", "-n", "-i", f"{card}@@{boot}", "::/cmdline.txt", "-"], env=bi.MTOOLS_ENV, capture_output=True, text=True).stdout
    assert cmdline == "console=serial0,115200 console=tty1 root=PARTUUID=4d8097e2-02 rootfstype=ext4 fsck.repair=yes rootwait cgroup_enable=memory cgroup_memory=1\n"
    root = bi.partitions(card)[1][0]
    env = subprocess.run(["debugfs", "-R", "cat /etc/edgectl/join.env", f"{card}?offset={root}"], capture_output=True, text=True).stdout
    assert f"EDGECTL_TOKEN={TOKEN}" in env and "EDGECTL_NODE_NAME=node-a" in env and "EDGECTL_BOARD=rpi4" in env
    hosts = subprocess.run(["debugfs", "-R", "cat /etc/hosts", f"{card}?offset={root}"], capture_output=True, text=True).stdout
    assert "127.0.1.1\tnode-a" in hosts and "raspberrypi" not in hosts and "127.0.0.1\tlocalhost" in hosts
    # Flashing the result again adds no second copy of the kernel arguments.
    again = os.path.join(work, "again.img")
    flash("--board", "rpi4", "--image", card, *JOIN, "--hostname", "node-a", "--output", again,
          "--binary", os.path.join(work, "edgectl-arm64"), "--offline")
    assert bi.fat_snapshot(again, boot)["/cmdline.txt"] == bi.fat_snapshot(card, boot)["/cmdline.txt"]


def test_raspberry_pi_os_trixie_uses_cloud_init(work):
    (added, changed, removed), after, r = flashed(work, "raspios-trixie", "rpi5", extra=("--wifi", "home:correct horse"))
    assert "cloud-init" in r.stdout
    assert removed == set() and keys(added, 1) == set()
    assert keys(changed, 1) == {"/cmdline.txt", "/user-data", "/meta-data", "/network-config"}
    assert keys(added, 2) == ROOT_ADDED, "the hook is started by cloud-init's runcmd, not enabled in the image"
    card = os.path.join(work, "raspios-trixie-card.img")
    boot = bi.partitions(card)[0][0]
    user_data = subprocess.run(["mcopy", "-n", "-i", f"{card}@@{boot}", "::/user-data", "-"], env=bi.MTOOLS_ENV, capture_output=True, text=True).stdout
    assert user_data.startswith("#cloud-config\n") and "hostname: node-a" in user_data
    assert "[systemctl, enable, --now, edgectl-firstboot.service]" in user_data
    assert TOKEN not in user_data, "the token stays in the 0600 file, not on the FAT partition anyone can read"
    net = subprocess.run(["mcopy", "-n", "-i", f"{card}@@{boot}", "::/network-config", "-"], env=bi.MTOOLS_ENV, capture_output=True, text=True).stdout
    assert '"home":' in net and 'password: "correct horse"' in net


def test_hardkernel_odroid(work):
    (added, changed, removed), after, _ = flashed(work, "hardkernel", "odroid-c4")
    assert removed == set() and keys(added, 1) == set() and keys(changed, 1) == set(), \
        "boot.ini stays: Hardkernel's kernels have the memory cgroup on"
    assert keys(added, 2) == ROOT_ADDED | ENABLED


def test_armbian(work):
    (added, changed, removed), after, _ = flashed(work, "armbian", "odroid-n2")
    assert removed == set() and keys(added, 1) == ROOT_ADDED | ENABLED
    assert {k for k in keys(changed, 1) if after[(1, k)][0] == "file"} == {"/etc/hostname", "/etc/hosts"}
    assert (1, "/boot/armbianEnv.txt") not in changed


def refused(work, *args, why):
    out = os.path.join(work, "refused.img")
    r = flash(*args, "--output", out, "--offline", check=False)
    assert r.returncode != 0, r.stdout
    assert why in r.stderr + r.stdout, r.stderr + r.stdout
    assert not os.path.exists(out), "nothing is written when the inputs are wrong"
    assert not [f for f in os.listdir(work) if f.startswith(".edgectl-flash-")], "no staging file is left"
    return r


def test_bad_inputs_are_refused_before_anything_is_written(work):
    rpi = bi.build("raspios-bookworm", os.path.join(work, "rpi.img"))
    armbian = bi.build("armbian", os.path.join(work, "armbian.img"))
    arm64 = bi.fake_binary(os.path.join(work, "edgectl-arm64"), "arm64")
    amd64 = bi.fake_binary(os.path.join(work, "edgectl-amd64"), "amd64")
    refused(work, "--board", "rpi9", "--image", rpi, *JOIN, "--binary", arm64, why="no board named rpi9")
    refused(work, "--board", "rpi4", "--image", armbian, *JOIN, "--binary", arm64, why="this is an Armbian image (/boot/armbianEnv.txt), not one for a Raspberry Pi 4")
    gpt = bi.build("generic-gpt", os.path.join(work, "gpt.img"))
    refused(work, "--board", "rpi4", "--image", gpt, *JOIN, "--binary", arm64, why="has none: is it an image for this board?")
    refused(work, "--board", "odroid-c4", "--image", rpi, *JOIN, "--binary", arm64, why="this is a Raspberry Pi image")
    refused(work, "--board", "rpi4", "--image", rpi, *JOIN, "--binary", amd64, why="built for amd64, but a Raspberry Pi 4 Model B runs arm64 or arm")
    arm = bi.fake_binary(os.path.join(work, "edgectl-arm"), "arm")
    refused(work, "--board", "rpi4", "--image", rpi, *JOIN, "--binary", arm, why="the image's programs are arm64 but the edgectl binary is arm")
    refused(work, "--board", "rpi4", "--image", rpi, "--server", SERVER, "--ca-cert-hash", HASH, "--binary", arm64, why="--token")
    refused(work, "--board", "rpi4", "--image", rpi, "--server", SERVER, "--token", "expired", "--ca-cert-hash", HASH, "--binary", arm64,
            why="--token must look like")
    truncated = os.path.join(work, "truncated.img")
    with open(rpi, "rb") as src, open(truncated, "wb") as dst:
        dst.write(src.read(40 << 20))
    refused(work, "--board", "rpi4", "--image", truncated, *JOIN, "--binary", arm64, why="past the end of the image")
    garbage = os.path.join(work, "garbage.img")
    open(garbage, "wb").write(os.urandom(1 << 20))
    refused(work, "--board", "rpi4", "--image", garbage, *JOIN, "--binary", arm64, why="has no partition table")
    refused(work, "--board", "rpi4", "--image", rpi, *JOIN, "--binary", arm64, "--wifi", "home:short", why="8-63 characters")
    key = os.path.join(work, "id")
    open(key, "w").write("-----BEGIN OPENSSH PRIVATE KEY-----\nxxx\n")
    refused(work, "--board", "rpi4", "--image", rpi, *JOIN, "--binary", arm64, "--ssh-key", key, why="private key")


def test_xz_image_and_block_device_with_read_back(work):
    if os.geteuid() != 0:
        pytest.fail("writing a (loop) block device needs root")
    img = bi.build("raspios-bookworm", os.path.join(work, "rpi.img"))
    subprocess.run(["xz", "-T1", "-0", img], check=True)
    arm64 = bi.fake_binary(os.path.join(work, "edgectl-arm64"), "arm64")
    backing = os.path.join(work, "card")
    with open(backing, "wb") as f:
        f.truncate(256 << 20)
    loop = subprocess.run(["losetup", "-f", "--show", backing], check=True, capture_output=True, text=True).stdout.strip()
    try:
        r = flash("--board", "rpi4", "--image", img + ".xz", *JOIN, "--hostname", "card-1", "--device", loop, "--binary", arm64,
                  "--offline", "--work-dir", work)
        assert "verifying [" in r.stderr and "100%" in r.stderr and f"wrote and verified {loop}" in r.stdout
        # The card holds the same image an --output flash makes.
        out = os.path.join(work, "same.img")
        flash("--board", "rpi4", "--image", img + ".xz", *JOIN, "--hostname", "card-1", "--output", out, "--binary", arm64, "--offline")
        # Same files, contents, modes and owners (FAT and inode times differ between two runs).
        assert bi.snapshot(loop) == bi.snapshot(out)
        r = flash("--board", "rpi4", "--image", img + ".xz", *JOIN, "--device", backing, "--binary", arm64, "--offline", check=False)
        assert r.returncode != 0 and "not a block device" in r.stderr
    finally:
        subprocess.run(["losetup", "-d", loop])


@pytest.fixture()
def lab():
    why = unavailable()
    if why:
        pytest.fail(why)
    prefix = "fl" + uuid.uuid4().hex[:6]
    d = tempfile.mkdtemp(prefix="edgectl-flash-lab-")
    shutil.rmtree(d)
    lab = Lab(prefix, d)
    try:
        lab.up(1)
        yield lab
    finally:
        lab.down()


def test_flashed_card_joins_the_lab_at_first_boot(work, lab):
    url, token, ca = lab.token()
    size_mb = os.path.getsize(EDGECTL) // (1 << 20) + 48
    img = bi.build("generic-gpt", os.path.join(work, "debian.img"), "amd64", size_mb)
    card = os.path.join(work, "card.img")
    # Flash from the node's namespace: the server check reaches the lab server there.
    r = lab.run("node1", EDGECTL, "flash", "--board", "generic-amd64", "--image", img, "--server", url, "--token", token,
                "--ca-cert-hash", ca, "--hostname", "flashed-1", "--output", card, "--binary", EDGECTL, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "CA matches, token accepted" in r.stdout
    # An expired (here: deleted) token is refused before anything is written.
    _, dead, _ = lab.token()
    lab.run("server", EDGECTL, "token", "delete", dead.split(".")[0], "--kubeconfig", lab.kubeconfig, check=True)
    r = lab.run("node1", EDGECTL, "flash", "--board", "generic-amd64", "--image", img, "--server", url, "--token", dead,
                "--ca-cert-hash", ca, "--output", os.path.join(work, "dead.img"), "--binary", EDGECTL, timeout=300)
    assert r.returncode != 0 and "nothing was written" in r.stderr and "wrong, expired or deleted" in r.stderr
    assert not os.path.exists(os.path.join(work, "dead.img"))

    root = bi.ext4_dump(card, bi.partitions(card)[1][0], os.path.join(work, "rootfs"))
    hook = [os.path.join(root, "usr/local/bin/edgectl"), "firstboot", "--root", root]
    agent = subprocess.Popen(["nsenter", f"--net=/run/netns/{lab.prefix}-node1", *hook], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
    try:
        def ready():
            out = lab.kubectl("get", "node", "flashed-1", "-o", "json", check=False)
            if out.returncode != 0:
                return None
            node = json.loads(out.stdout)
            ok = any(c["type"] == "Ready" and c["status"] == "True" for c in node["status"].get("conditions", []))
            return node if ok else None
        node = wait_for(ready, 60, "the flashed node to join and be Ready",
                        show=lambda: (agent.poll(), lab.kubectl("get", "nodes", check=False).stdout))
        assert node["metadata"]["labels"]["edgectl.io/board"] == "generic-amd64"
        assert node["metadata"]["labels"]["node.kubernetes.io/instance-type"] == "generic-amd64"
        assert not os.path.exists(os.path.join(root, "etc/edgectl/join.env")), "the token is removed after the join"
        assert not os.path.lexists(os.path.join(root, "etc/systemd/system/multi-user.target.wants/edgectl-firstboot.service"))
        assert os.path.exists(os.path.join(root, "etc/systemd/system/edgectl-agent.service"))
        assert os.path.lexists(os.path.join(root, "etc/systemd/system/multi-user.target.wants/edgectl-agent.service"))
        # Hostname unique in the cluster: another machine joining under the same name is refused (join
        # checks before it makes a key; the server's signer would refuse the request too).
        other = os.path.join(work, "other-machine")
        os.makedirs(os.path.join(other, "etc"))
        open(os.path.join(other, "etc/machine-id"), "w").write("0123456789abcdef0123456789abcdef\n")
        url2, token2, ca2 = lab.token()
        r = subprocess.run(["nsenter", f"--net=/run/netns/{lab.prefix}-node1", EDGECTL, "join", url2, "--token", token2, "--ca-cert-hash", ca2,
                            "--node-name", "flashed-1", "--data-dir", os.path.join(work, "other-data"), "--no-agent"],
                           capture_output=True, text=True, timeout=90, env=dict(os.environ, EDGECTL_HOST_ROOT=other))
        assert r.returncode != 0 and "a Node named flashed-1 already exists" in r.stderr and "kubectl delete node flashed-1" in r.stderr, r.stderr
        assert not os.path.exists(os.path.join(work, "other-data", "kubeconfig.yaml")), "no credentials are written"
    finally:
        agent.terminate()
        try:
            agent.wait(timeout=15)
        except subprocess.TimeoutExpired:
            agent.kill()
        cleanup_node(os.path.join(root, "var/lib/edgectl/agent"))


def test_first_boot_reports_an_unreachable_server_and_retries(work, lab):
    url, token, ca = lab.token()
    size_mb = os.path.getsize(EDGECTL) // (1 << 20) + 48
    img = bi.build("generic-gpt", os.path.join(work, "debian.img"), "amd64", size_mb)
    card = os.path.join(work, "card.img")
    wrong = url.rsplit(":", 1)[0] + ":1"   # the lab server's address, a port nothing listens on
    flash("--board", "generic-amd64", "--image", img, "--server", wrong, "--token", token, "--ca-cert-hash", ca,
          "--hostname", "late-1", "--output", card, "--binary", EDGECTL, "--offline")
    root = bi.ext4_dump(card, bi.partitions(card)[1][0], os.path.join(work, "rootfs"))
    hook = ["nsenter", f"--net=/run/netns/{lab.prefix}-node1", os.path.join(root, "usr/local/bin/edgectl"), "firstboot", "--root", root]
    r = subprocess.run(hook, capture_output=True, text=True, timeout=120)
    assert r.returncode != 0
    assert "cannot join" in r.stdout and "retrying in 30 s" in r.stdout, r.stdout + r.stderr
    assert os.path.exists(os.path.join(root, "etc/edgectl/join.env")), "the settings stay for the next try"
    # The server becomes reachable (here: the settings are corrected) and the next try joins.
    env = open(os.path.join(root, "etc/edgectl/join.env")).read().replace(wrong, url)
    open(os.path.join(root, "etc/edgectl/join.env"), "w").write(env)
    agent = subprocess.Popen(hook, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: lab.kubectl("get", "node", "late-1", check=False).returncode == 0, 60, "the node after the retry")
    finally:
        agent.terminate()
        try:
            agent.wait(timeout=15)
        except subprocess.TimeoutExpired:
            agent.kill()
        cleanup_node(os.path.join(root, "var/lib/edgectl/agent"))
