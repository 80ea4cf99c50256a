"""Image garbage collection on a small disk: the local agent's data dir is a 100 MiB tmpfs;
images are pulled from a loopback registry and imported from layouts made here, two pods run,
and a file fills the disk past the high threshold. The agent removes unused images, least
recently used first, down to the low threshold; images the pods use (even the least recently
used ones) and their shared layers stay, and the pods keep running. Filled again with too
little left to remove, it reports FreeDiskSpaceFailed, keeps an image younger than the minimum
age, and the node shows DiskPressure until the file goes. Root only (mounts, pods)."""
import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import time

import pytest

from conftest import EDGECTL, Kubectl, Server, free_port, wait_for
from oci_layout import write_blob
from local_registry import serving_images
from node_cleanup import cleanup_node

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("docker-registry") or not shutil.which("skopeo")
                                or not os.path.exists("/bin/busybox"),
                                reason="needs root, docker-registry, skopeo and busybox-static")

MIB = 1 << 20
DISK_MIB = 100
BIG_LAYER_MIB = 8
NODE = "e2e-gc"


def mounted(path):
    real = os.path.realpath(path)
    return any(line.split()[1] == real for line in open("/proc/mounts"))


def usage(path):
    """(capacity, available) bytes, as the agent's statvfs sees them."""
    s = os.statvfs(path)
    return s.f_blocks * s.f_frsize, s.f_bavail * s.f_frsize


def usage_percent(path):
    capacity, available = usage(path)
    return 100 - available * 100 // capacity


def fill_to(path, name, percent):
    """Writes (or grows) a plain file under path until the filesystem is `percent`% used or a little more."""
    capacity, available = usage(path)
    missing = available - capacity * (100 - percent) // 100 + 256 * 1024
    assert missing > 0, f"{path} is already {usage_percent(path)}% used"
    with open(os.path.join(path, name), "ab") as f:
        chunk = b"\0" * MIB
        while missing > 0:
            f.write(chunk[:min(missing, MIB)])
            missing -= MIB
        f.flush()
        os.fsync(f.fileno())


def random_layer(mib):
    """An uncompressed tar with one incompressible file: it occupies `mib` MiB once unpacked."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        data = os.urandom(mib * MIB)
        info = tarfile.TarInfo("payload")
        info.size, info.mtime, info.mode = len(data), 0, 0o644
        t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def image_on_busybox(busybox_layout, layout, name):
    """An OCI layout of the busybox recipe's layer plus a random BIG_LAYER_MIB layer, named `name`."""
    entry = json.load(open(os.path.join(busybox_layout, "index.json")))["manifests"][0]
    base_manifest = json.load(open(os.path.join(busybox_layout, "blobs", "sha256", entry["digest"][7:])))
    base_config = json.load(open(os.path.join(busybox_layout, "blobs", "sha256", base_manifest["config"]["digest"][7:])))
    base_layer = base_manifest["layers"][0]
    write_blob(layout, open(os.path.join(busybox_layout, "blobs", "sha256", base_layer["digest"][7:]), "rb").read())
    tar = random_layer(BIG_LAYER_MIB)
    top = dict(write_blob(layout, gzip.compress(tar, mtime=0)), mediaType="application/vnd.oci.image.layer.v1.tar+gzip")
    config = dict(base_config, rootfs={"type": "layers", "diff_ids": base_config["rootfs"]["diff_ids"] + ["sha256:" + hashlib.sha256(tar).hexdigest()]})
    config_desc = dict(write_blob(layout, json.dumps(config).encode()), mediaType="application/vnd.oci.image.config.v1+json")
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "config": config_desc,
                "layers": [base_layer, top]}
    desc = dict(write_blob(layout, json.dumps(manifest).encode()), mediaType="application/vnd.oci.image.manifest.v1+json",
                annotations={"io.containerd.image.name": name, "org.opencontainers.image.ref.name": "latest"})
    with open(os.path.join(layout, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
    with open(os.path.join(layout, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [desc]}, f)
    return config_desc["digest"]


def images(agent_dir, *args, check=True):
    r = subprocess.run([EDGECTL, "images", *args, "--data-dir", agent_dir], capture_output=True, text=True, timeout=120)
    if check and r.returncode != 0:
        raise AssertionError(f"edgectl images {' '.join(args)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    return r.stdout


def stored(agent_dir):
    """Stored image references, repository:tag."""
    rows = [line.split() for line in images(agent_dir, "list").splitlines()[1:]]
    return {f"{row[0]}:{row[1]}" for row in rows}


def record(agent_dir, image_id):
    return os.path.join(agent_dir, "images", "images", image_id[7:] + ".json")


def layer_dir(agent_dir, diff_id):
    return os.path.join(agent_dir, "images", "layers", diff_id[7:], "fs")


def last_used(agent_dir, image_id, seconds_ago):
    """Sets an image's last use (its record's mtime, as the store keeps it)."""
    t = time.time() - seconds_ago
    os.utime(record(agent_dir, image_id), (t, t))


def running_unrestarted(k, name):
    r = k.run("get", "pod", name, "-o", "json", check=False)
    if r.returncode != 0:
        return False
    statuses = json.loads(r.stdout).get("status", {}).get("containerStatuses") or [{}]
    return "running" in statuses[0].get("state", {}) and statuses[0].get("restartCount") == 0


def disk_pressure(k):
    conditions = k.json("get", "node", NODE)["status"]["conditions"]
    c = next(c for c in conditions if c["type"] == "DiskPressure")
    return c["status"], c["reason"]


def node_events(k, reason):
    items = k.json("get", "events", "-n", "default")["items"]
    return [e for e in items if e["involvedObject"].get("kind") == "Node" and e["involvedObject"].get("name") == NODE and e["reason"] == reason]


@pytest.fixture(scope="module")
def registry():
    with serving_images(names=("busybox", "busybox-httpd")) as r:
        yield r


@pytest.fixture
def small_disk_node(registry):
    """A server whose local agent's data dir is a DISK_MIB tmpfs; unmounted whatever happens."""
    d = tempfile.mkdtemp(prefix="edgectl-gc-")
    agent_dir = os.path.join(d, "agent")
    os.makedirs(agent_dir)
    s = None
    try:
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={DISK_MIB}m,mode=0700", "edgectl-gc-test", agent_dir], check=True)
        s = Server(d, free_port(), extra_args=["--node-name", NODE, "--agent-api-port", str(free_port()),
                                               "--image-minimum-gc-age", "60s"], agent=True)
        s.start()
        k = Kubectl(s.kubeconfig)
        wait_for(lambda: k.run("get", "node", NODE, check=False).returncode == 0, 30, "the local agent's node")
        yield s, k, agent_dir
    finally:
        if s:
            s.stop()
        cleanup_node(d)
        if mounted(agent_dir):
            subprocess.run(["umount", "-l", agent_dir], check=False)
        assert not mounted(agent_dir), f"{agent_dir} is still mounted"
        shutil.rmtree(d, ignore_errors=True)


def test_unused_images_are_removed_under_disk_pressure_and_images_in_use_stay(registry, small_disk_node):
    server, k, agent_dir = small_disk_node
    busybox, httpd = registry.image("busybox"), registry.image("busybox-httpd")
    layouts = os.path.join(registry.dir, "layouts")

    # Unused images: busybox-httpd (sharing the busybox layer) and four of BIG_LAYER_MIB each.
    images(agent_dir, "pull", httpd)
    ids = {}
    for tag in ("a", "b", "c", "d", "e"):
        layout = os.path.join(registry.dir, f"gc-{tag}")
        ids[tag] = image_on_busybox(os.path.join(layouts, "busybox"), layout, f"example.com/gc-{tag}:1")
        if tag != "e":  # gc-e arrives later, to be younger than the minimum age
            images(agent_dir, "import", layout)
    # Two pods: one on busybox from the registry, one on gc-c.
    for name, image in (("keeper", busybox), ("c-user", "example.com/gc-c:1")):
        k.run("apply", "-f", "-", input=json.dumps({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"terminationGracePeriodSeconds": 1, "containers": [{
                "name": "main", "image": image, "imagePullPolicy": "IfNotPresent",
                "command": ["sh", "-c", "while true; do sleep 1; done"]}]}}))
    for name in ("keeper", "c-user"):
        wait_for(lambda: running_unrestarted(k, name), 90, f"pod {name} running")

    assert stored(agent_dir) == {busybox, httpd} | {f"example.com/gc-{t}:1" for t in "abcd"}
    records = {json.load(open(os.path.join(agent_dir, "images", "images", f)))["references"][0]: f[:-5]
               for f in os.listdir(os.path.join(agent_dir, "images", "images"))}
    busybox_id = "sha256:" + records[busybox]
    busybox_layer = layer_dir(agent_dir, json.load(open(record(agent_dir, busybox_id)))["diffIDs"][0])
    assert os.path.isdir(busybox_layer)

    # Last use, oldest first: the two images in use, then busybox-httpd, gc-a, gc-b, gc-d.
    for i, image_id in enumerate([busybox_id, ids["c"], "sha256:" + records[httpd], ids["a"], ids["b"], ids["d"]]):
        last_used(agent_dir, image_id, 3600 - i * 100)
    before = usage_percent(agent_dir)
    assert before < 60, f"the images alone should leave room: {before}% used"

    # Past the high threshold (85%): free down to the low one (80%) and no further.
    fill_to(agent_dir, "filler-1", 90)
    assert usage_percent(agent_dir) >= 90
    wait_for(lambda: usage_percent(agent_dir) <= 80, 60, f"image GC to bring {agent_dir} down to 80%")
    left = stored(agent_dir)
    assert left == {busybox, "example.com/gc-c:1", "example.com/gc-d:1"}, \
        f"busybox-httpd, gc-a and gc-b (least recently used) should go, the rest stay: {left}"
    assert os.path.isdir(busybox_layer), "the busybox layer stays: pods use it (busybox-httpd shared it)"
    log = open(server.log_path).read()
    assert (f"removed 3 unused images ({httpd}, example.com/gc-a:1, example.com/gc-b:1)") in log, log[-3000:]
    for name in ("keeper", "c-user"):
        assert running_unrestarted(k, name), f"pod {name} should keep running"
        k.run("exec", name, "--", "/bin/busybox", "true")  # its root's layers are all still there

    # Filled again: gc-d (unused) goes, but gc-e is younger than the minimum age and the others are in use.
    images(agent_dir, "import", os.path.join(registry.dir, "gc-e"))
    fill_to(agent_dir, "filler-2", 95)
    events = wait_for(lambda: node_events(k, "FreeDiskSpaceFailed"), 60, "a FreeDiskSpaceFailed event on the node")
    assert events[0]["type"] == "Warning"
    assert "Failed to garbage collect required amount of images" in events[0]["message"], events[0]["message"]
    assert stored(agent_dir) == {busybox, "example.com/gc-c:1", "example.com/gc-e:1"}
    assert usage_percent(agent_dir) > 85
    assert wait_for(lambda: disk_pressure(k) == ("True", "KubeletHasDiskPressure"), 40, "DiskPressure on the node")
    for name in ("keeper", "c-user"):
        assert running_unrestarted(k, name), f"pod {name} should keep running"

    os.unlink(os.path.join(agent_dir, "filler-1"))
    os.unlink(os.path.join(agent_dir, "filler-2"))
    assert wait_for(lambda: disk_pressure(k) == ("False", "KubeletHasNoDiskPressure"), 40, "DiskPressure to clear")
