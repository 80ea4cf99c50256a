"""A pod must not reach the host (issue 9, items 1-4): the attacks as a pod
author would try them, against `edgectl server` with its local agent, driven
by kubectl and the Python client. Each test reproduces one attack and asserts
what upstream (kubelet with runc or crun) does instead.

The node runs with CAP_SYS_RESOURCE dropped from its bounding set (setpriv),
so a privileged pod meets a host that lacks a capability, as many boards and
hosts under systemd do.

Root only, and it FAILS (never skips) where it cannot run: CI runs as root."""
import glob
import gzip
import hashlib
import io
import json
import os
import shutil
import stat
import subprocess
import tarfile
import tempfile
import uuid

import pytest

from agent_node import agent_node
from conftest import free_port, wait_for
from local_registry import LocalRegistry
from oci_layout import write_blob

NEEDS = ["docker-registry", "skopeo", "setpriv"]
# What the container's /dev holds, as runc makes it (a tmpfs of its own; /dev/core only where the kernel has
# /proc/kcore), plus the termination log.
STANDARD_DEV = sorted((["core"] if os.path.exists("/proc/kcore") else []) +
                      ["fd", "full", "mqueue", "null", "ptmx", "pts", "random", "shm", "stderr", "stdin", "stdout",
                       "termination-log", "tty", "urandom", "zero"])
CAP_SYS_RESOURCE = 24
EPERM = "Operation not permitted"


@pytest.fixture(scope="module", autouse=True)
def can_run():
    if os.geteuid() != 0:
        pytest.fail("test_pod_escapes needs root (namespaces, mounts, cgroups, device nodes); CI runs it as root")
    missing = [t for t in NEEDS if not shutil.which(t)]
    if missing:
        pytest.fail(f"test_pod_escapes needs {', '.join(missing)} (scripts/install-deps installs them)")


@pytest.fixture(scope="module")
def registry(can_run):
    r = LocalRegistry(free_port()).start()
    try:
        r.push_recipes(names=("busybox",))
        push_evil_image(r)
        yield r
    finally:
        r.stop()


@pytest.fixture(scope="module")
def node(registry):
    with agent_node("edgectl-escapes-", "escape-node",
                    command_prefix=["setpriv", "--bounding-set", "-sys_resource", "--"]) as n:
        yield n


@pytest.fixture
def host_dir():
    """A directory on the host that no pod may reach; removed afterwards whatever a test left in it."""
    d = tempfile.mkdtemp(prefix="edgectl-escape-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def host_name():
    """A path prefix on the host (under /tmp) that nothing may be made at; whatever was is removed afterwards."""
    p = f"/tmp/edgectl-escape-{uuid.uuid4().hex[:12]}"
    yield p
    for made in glob.glob(p + "*"):
        if os.path.isdir(made) and not os.path.islink(made):
            shutil.rmtree(made, ignore_errors=True)
        else:
            os.unlink(made)


EVIL_TARGET = "/tmp/edgectl-evil-image-target"


def push_evil_image(r):
    """busybox plus a layer of traps: /data and /logs are symlinks to a host path (absolute and through
    '..'), /evil-blk is a block device node (the host's loop0, 7:0). As `evil:latest` in the registry."""
    base = os.path.join(r.dir, "layouts", "busybox")
    entry = json.load(open(os.path.join(base, "index.json")))["manifests"][0]
    blob = lambda d: os.path.join(base, "blobs", "sha256", d[7:])  # noqa: E731
    base_manifest = json.load(open(blob(entry["digest"])))
    base_config = json.load(open(blob(base_manifest["config"]["digest"])))
    layout = os.path.join(r.dir, "layouts", "evil")
    for layer in base_manifest["layers"]:
        write_blob(layout, open(blob(layer["digest"]), "rb").read())
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, target in [("data", EVIL_TARGET), ("logs", "../../../../../../../../../../../../.." + EVIL_TARGET)]:
            info = tarfile.TarInfo(name)
            info.type, info.linkname, info.mtime = tarfile.SYMTYPE, target, 0
            t.addfile(info)
        info = tarfile.TarInfo("evil-blk")
        info.type, info.devmajor, info.devminor, info.mode, info.mtime = tarfile.BLKTYPE, 7, 0, 0o666, 0
        t.addfile(info)
    tar = buf.getvalue()
    top = dict(write_blob(layout, gzip.compress(tar, mtime=0)), mediaType="application/vnd.oci.image.layer.v1.tar+gzip")
    config = dict(base_config, rootfs={"type": "layers", "diff_ids": base_config["rootfs"]["diff_ids"] + ["sha256:" + hashlib.sha256(tar).hexdigest()]})
    config_desc = dict(write_blob(layout, json.dumps(config).encode()), mediaType="application/vnd.oci.image.config.v1+json")
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "config": config_desc,
                "layers": base_manifest["layers"] + [top]}
    desc = dict(write_blob(layout, json.dumps(manifest).encode()), mediaType="application/vnd.oci.image.manifest.v1+json",
                annotations={"org.opencontainers.image.ref.name": "latest"})
    with open(os.path.join(layout, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
    with open(os.path.join(layout, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [desc]}, f)
    subprocess.run(["skopeo", "copy", "-q", "--dest-tls-verify=false", f"oci:{layout}:latest", f"docker://{r.host}/evil:latest"],
                   check=True, capture_output=True)


def pod_json(k, name):
    r = k.run("get", "pod", name, "-o", "json", check=False)
    return json.loads(r.stdout) if r.returncode == 0 else None


def statuses(p, init=False):
    return (p or {}).get("status", {}).get("initContainerStatuses" if init else "containerStatuses") or [{}]


def server_log(s):
    return open(s.log_path, errors="replace").read()[-4000:]


def finished(s, k, name, timeout=60):
    """The pod's (main container's) termination message once it Succeeded."""
    def done():
        p = pod_json(k, name)
        return p if p and p["status"].get("phase") in ("Succeeded", "Failed") else None
    p = wait_for(done, timeout, f"pod {name} to finish",
                 show=lambda: json.dumps((pod_json(k, name) or {}).get("status")) + "\n" + server_log(s))
    assert p["status"]["phase"] == "Succeeded", json.dumps(p["status"])
    return statuses(p)[0]["state"]["terminated"].get("message", "")


def waiting(s, k, name, timeout=60):
    """The main container's waiting state once it has a reason other than ContainerCreating."""
    def seen():
        w = statuses(pod_json(k, name))[0].get("state", {}).get("waiting", {})
        return w if w.get("reason") not in (None, "ContainerCreating", "PodInitializing") else None
    return wait_for(seen, timeout, f"pod {name} to wait with a reason",
                    show=lambda: json.dumps((pod_json(k, name) or {}).get("status")) + "\n" + server_log(s))


def busybox(registry, name, script, image="busybox", container=None, **spec):
    c = {"name": "main", "image": registry.image(image), "command": ["sh", "-c", script]}
    c.update(container or {})
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"terminationGracePeriodSeconds": 1, "restartPolicy": "Never", "containers": [c], **spec}}


def apply(k, manifest):
    k.run("apply", "-f", "-", input=json.dumps(manifest))


def caps(message):
    """{'CapInh': int, ...} from grep Cap /proc/self/status output."""
    out = {}
    for line in message.splitlines():
        if line.startswith("Cap") and ":" in line:
            key, value = line.split(":", 1)
            out[key] = int(value.strip(), 16)
    return out


# ---- 1. devices ----

DEVICE_PROBE = """
ls /dev | tr '\\n' ' ' > /dev/termination-log; echo >> /dev/termination-log
for attempt in 'b 7 0' 'c 1 1' 'c 1 3'; do
  set -- $attempt
  if err=$(mknod /tmp/n-$1-$2-$3 $1 $2 $3 2>&1); then echo "mknod $attempt ok" >> /dev/termination-log
  else echo "mknod $attempt: $err" >> /dev/termination-log; fi
done
echo hello > /tmp/n-c-1-3 && echo 'write c 1 3 ok' >> /dev/termination-log
for node in /host/blk /evil-blk; do
  [ -e $node ] || continue
  if err=$( (exec 3< $node) 2>&1); then echo "open $node ok" >> /dev/termination-log
  else echo "open $node: $err" >> /dev/termination-log; fi
done
"""


def device_report(message):
    lines = message.splitlines()
    return lines[0].split(), lines[1:]


def test_devices_are_the_standard_set_and_nothing_else_opens(node, registry, host_dir):
    """Item 1: mknod of a block device (the host's loop0) and of /dev/mem is refused, and so is opening a host
    block device node that reaches the container through a hostPath or an image; the standard devices work."""
    s, k = node
    os.mknod(os.path.join(host_dir, "blk"), stat.S_IFBLK | 0o600, os.makedev(7, 0))
    apply(k, busybox(registry, "devices", DEVICE_PROBE, container={"volumeMounts": [{"name": "h", "mountPath": "/host"}]},
                     volumes=[{"name": "h", "hostPath": {"path": host_dir, "type": "Directory"}}]))
    listing, results = device_report(finished(s, k, "devices"))
    assert sorted(listing) == STANDARD_DEV, listing
    assert f"mknod b 7 0: mknod: /tmp/n-b-7-0: {EPERM}" in results, results
    assert f"mknod c 1 1: mknod: /tmp/n-c-1-1: {EPERM}" in results, results
    assert "mknod c 1 3 ok" in results and "write c 1 3 ok" in results, results
    assert any(r.startswith("open /host/blk:") and EPERM in r for r in results), results


def test_devices_stay_refused_to_kubectl_exec(node, registry):
    """An exec'd process joins the container's device cgroup too."""
    s, k = node
    apply(k, busybox(registry, "devices-exec", "exec sleep 300", restartPolicy="Always"))
    wait_for(lambda: statuses(pod_json(k, "devices-exec"))[0].get("ready"), 60, "devices-exec ready", show=lambda: server_log(s))
    r = k.run("exec", "devices-exec", "--", "sh", "-c", "mknod /tmp/blk b 7 0", check=False)
    assert r.returncode != 0 and EPERM in r.stderr + r.stdout, (r.stdout, r.stderr)
    k.run("delete", "pod", "devices-exec", "--wait=false")


# ---- 2. subPath through a symlink ----

def subpath_pod(registry, name, link_script, sub_path, script="ls /mnt > /dev/termination-log"):
    init = {"name": "plant", "image": registry.image("busybox"), "command": ["sh", "-c", link_script],
            "volumeMounts": [{"name": "v", "mountPath": "/v"}]}
    return busybox(registry, name, script, container={"volumeMounts": [{"name": "v", "mountPath": "/mnt", "subPath": sub_path}]},
                   initContainers=[init], volumes=[{"name": "v", "emptyDir": {}}])


def test_subpath_symlink_to_the_host_root_is_refused(node, registry, host_dir):
    """Item 2 (CVE-2017-1002101): an init container plants `root -> /` in an emptyDir; mounting it with
    subPath root must not give the host's / : the container waits with upstream's CreateContainerConfigError.
    (Before, /mnt was the host's / read-write: the pod wrote into host_dir through it.)"""
    s, k = node
    apply(k, subpath_pod(registry, "subpath-root", "ln -s / /v/root", "root", script=f"touch /mnt{host_dir}/written-by-pod"))
    w = waiting(s, k, "subpath-root")
    assert w["reason"] == "CreateContainerConfigError", w
    assert w["message"] == 'failed to prepare subPath for volumeMount "v" of container "main"', w
    assert os.listdir(host_dir) == []
    events = k.run("get", "events", "--field-selector", "involvedObject.name=subpath-root").stdout
    assert 'subPath "root" leads out of the volume' in events, events


def test_subpath_symlink_cannot_create_directories_on_the_host(node, registry, host_dir):
    """The agent makes a missing subPath; through a planted symlink it must not make it on the host."""
    s, k = node
    apply(k, subpath_pod(registry, "subpath-mkdir", f"ln -s {host_dir} /v/a", "a/made-on-host"))
    w = waiting(s, k, "subpath-mkdir")
    assert w["reason"] == "CreateContainerConfigError", w
    assert os.listdir(host_dir) == []


def test_subpath_symlinks_inside_the_volume_still_work(node, registry):
    """Links that stay inside the volume are followed (configMap keys are such links, and subPath to one is common)."""
    s, k = node
    k.run("create", "configmap", "subpath-cm", "--from-literal=app.conf=port=8080")
    plant = "mkdir -p /v/data && echo inner > /v/data/f && ln -s data /v/link && ln -s ./link /v/link2"
    pod = subpath_pod(registry, "subpath-inner", plant, "link")
    main = pod["spec"]["containers"][0]
    main["command"] = ["sh", "-c", "cat /mnt/f /etc/app.conf /expr/f > /dev/termination-log"]
    main["env"] = [{"name": "SUB", "value": "link2"}]
    main["volumeMounts"] += [{"name": "cm", "mountPath": "/etc/app.conf", "subPath": "app.conf"},
                             {"name": "v", "mountPath": "/expr", "subPathExpr": "$(SUB)"}]
    pod["spec"]["volumes"].append({"name": "cm", "configMap": {"name": "subpath-cm"}})
    apply(k, pod)
    assert finished(s, k, "subpath-inner") == "inner\nport=8080inner\n"


# ---- 3. '..' in paths ----

def api_client(s):
    from kubernetes import client, config
    cfg = client.Configuration()
    config.load_kube_config(config_file=s.kubeconfig, client_configuration=cfg)
    return client.CoreV1Api(client.ApiClient(cfg))


def rejected(s, pod):
    """(status, Status body) of creating `pod` through the Python client."""
    from kubernetes.client.rest import ApiException
    try:
        api_client(s).create_namespaced_pod("default", pod)
    except ApiException as e:
        return e.status, json.loads(e.body)
    raise AssertionError(f"pod {pod['metadata']['name']} was accepted")


DOTDOT = "../../../../tmp/x"


@pytest.mark.parametrize("case,volume,mount,field", [(i, *c) for i, c in enumerate([
    ({"configMap": {"name": "c", "items": [{"key": "k", "path": DOTDOT}]}}, {}, "spec.volumes[0].configMap.items[0].path"),
    ({"secret": {"secretName": "s", "items": [{"key": "k", "path": DOTDOT}]}}, {}, "spec.volumes[0].secret.items[0].path"),
    ({"downwardAPI": {"items": [{"path": DOTDOT, "fieldRef": {"fieldPath": "metadata.name"}}]}}, {}, "spec.volumes[0].downwardAPI.path"),
    ({"projected": {"sources": [{"configMap": {"name": "c", "items": [{"key": "k", "path": DOTDOT}]}}]}}, {},
     "spec.volumes[0].projected.sources[0].configMap.items[0].path"),
    ({"projected": {"sources": [{"serviceAccountToken": {"path": DOTDOT}}]}}, {}, "spec.volumes[0].projected.path"),
    ({"emptyDir": {}}, {"subPath": "../x"}, "spec.containers[0].volumeMounts.subPath"),
    ({"emptyDir": {}}, {"subPathExpr": "$(POD)/../../x"}, "spec.containers[0].volumeMounts.subPathExpr"),
])])
def test_dotdot_in_volume_paths_is_rejected_as_upstream(node, registry, case, volume, mount, field):
    """Item 3: 422 with upstream's field path and message; before, each was stored and the agent wrote outside."""
    s, _ = node
    pod = busybox(registry, f"dotdot-{case}", "true", container={"volumeMounts": [{"name": "v", "mountPath": "/v", **mount}]},
                  volumes=[{"name": "v", **volume}])
    code, status = rejected(s, pod)
    assert code == 422 and status["reason"] == "Invalid", status
    bad = mount.get("subPath") or mount.get("subPathExpr") or DOTDOT
    assert f"{field}: Invalid value: \"{bad}\": must not contain '..'" in status["message"], status["message"]
    assert {"reason": "FieldValueInvalid", "message": f"Invalid value: \"{bad}\": must not contain '..'", "field": field} \
        in status["details"]["causes"], status


def test_reserved_and_absolute_item_paths_are_rejected(node, registry):
    s, _ = node
    pod = busybox(registry, "reserved", "true", volumes=[{"name": "v", "configMap": {"name": "c", "items": [
        {"key": "a", "path": "..data"}, {"key": "b", "path": "/etc/x"}]}}])
    code, status = rejected(s, pod)
    assert code == 422, status
    causes = {(c["field"], c["message"]) for c in status["details"]["causes"]}
    assert ("spec.volumes[0].configMap.items[0].path", "Invalid value: \"..data\": must not start with '..'") in causes, causes
    assert ("spec.volumes[0].configMap.items[1].path", "Invalid value: \"/etc/x\": must be a relative path") in causes, causes


def test_mount_and_termination_paths_with_dotdot_stay_inside_the_container(node, registry, host_name):
    """mountPath and terminationMessagePath full of '..' (upstream accepts them) resolve inside the container's
    root, as runc's securejoin does: /../../x is the container's /x, and nothing is made on the host."""
    s, k = node
    up = "/.." * 24
    script = f"ls -d {host_name}-vol > /dev/termination-log 2>&1; echo message-inside > {host_name}-log"
    apply(k, busybox(registry, "dotdot-mounts", script,
                     container={"terminationMessagePath": up + host_name + "-log",
                                "volumeMounts": [{"name": "v", "mountPath": up + host_name + "-vol"}]},
                     volumes=[{"name": "v", "emptyDir": {}}]))
    message = finished(s, k, "dotdot-mounts")
    assert message == "message-inside\n", message
    for suffix in ("-vol", "-log"):
        assert not os.path.lexists(host_name + suffix), f"{host_name + suffix} was made on the host"


def test_image_symlinks_cannot_redirect_mounts_onto_the_host(node, registry):
    """An image whose /data and /logs link to a host path (absolute, and through '..'): a volume mounted at
    /data/sub and the termination log at /logs/term land inside the container, not on the host."""
    s, k = node
    shutil.rmtree(EVIL_TARGET, ignore_errors=True)
    os.makedirs(EVIL_TARGET)
    try:
        script = f"ls -d {EVIL_TARGET}/sub > /logs/term 2>&1; [ -e /evil-blk ] && ( (exec 3< /evil-blk) 2>&1 || true) >> /logs/term"
        apply(k, busybox(registry, "evil-image", script, image="evil",
                         container={"terminationMessagePath": "/logs/term", "volumeMounts": [{"name": "v", "mountPath": "/data/sub"}]},
                         volumes=[{"name": "v", "emptyDir": {}}]))
        message = finished(s, k, "evil-image")
        lines = message.splitlines()
        assert lines[0] == f"{EVIL_TARGET}/sub", message
        assert EPERM in lines[1], message  # a device node an image carries is refused like any other
        assert os.listdir(EVIL_TARGET) == [], os.listdir(EVIL_TARGET)
    finally:
        shutil.rmtree(EVIL_TARGET, ignore_errors=True)


# ---- 4. capabilities ----

CAPS = "grep ^Cap /proc/self/status > /dev/termination-log"


def host_bounding_set(s):
    for line in open(f"/proc/{s.proc.pid}/status"):
        if line.startswith("CapBnd:"):
            return int(line.split(":")[1].strip(), 16)
    raise AssertionError("no CapBnd for the server")


def test_inheritable_capabilities_are_empty(node, registry):
    """Item 4 (CVE-2022-24769): CapInh is empty for root and non-root containers, as runc and crun now do."""
    s, k = node
    apply(k, busybox(registry, "caps-root", CAPS))
    apply(k, busybox(registry, "caps-user", CAPS, securityContext={"runAsUser": 1000, "runAsGroup": 1000}))
    root, user = caps(finished(s, k, "caps-root")), caps(finished(s, k, "caps-user"))
    assert root["CapInh"] == 0 and root["CapEff"] == 0xa80425fb and root["CapBnd"] == 0xa80425fb, root
    assert user["CapInh"] == 0 and user["CapPrm"] == 0 and user["CapEff"] == 0 and user["CapBnd"] == 0xa80425fb, user


def test_privileged_gets_what_the_host_has(node, registry):
    """Item 4: privileged on a host whose bounding set lacks CAP_SYS_RESOURCE runs with every capability the host
    has (was: "capset failed")."""
    s, k = node
    host = host_bounding_set(s)
    assert not host & (1 << CAP_SYS_RESOURCE), "the node should run without CAP_SYS_RESOURCE (setpriv)"
    apply(k, busybox(registry, "caps-privileged", CAPS, container={"securityContext": {"privileged": True}}))
    got = caps(finished(s, k, "caps-privileged"))
    assert got["CapEff"] == host and got["CapBnd"] == host and got["CapInh"] == 0, (hex(host), got)


def test_added_capability_the_host_lacks_is_a_clear_config_error(node, registry):
    s, k = node
    apply(k, busybox(registry, "caps-missing", CAPS, container={"securityContext": {"capabilities": {"add": ["SYS_RESOURCE"]}}}))
    w = waiting(s, k, "caps-missing")
    assert w["reason"] == "CreateContainerConfigError", w
    assert "SYS_RESOURCE" in w["message"] and "bounding set" in w["message"], w
