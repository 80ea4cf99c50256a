"""The built-in runtime against crun (Debian): the same container, described
once as edgectl's defaults and once as an OCI config, must look the same from
inside (hostname, pid 1, capability sets, seccomp mode, no_new_privs, mount
points) and get the same cgroup limits. crun refuses hosts that mount a
cgroup v2 tree next to v1 controllers ("hybrid mode", as this build machine);
there it runs in a private mount namespace with the v2 mount removed
(`crun_command`), which leaves the v1 controllers it uses untouched.
Root only."""
import json
import os
import shutil
import stat
import subprocess
import tempfile
import threading
import time

import pytest

from conftest import EDGECTL

@pytest.fixture(scope="module", autouse=True)
def can_run():
    """A root-only suite fails, never skips, where it cannot run: CI runs it as root."""
    if os.geteuid() != 0:
        pytest.fail("test_runtime needs root (namespaces, mounts, cgroups); CI runs it as root")
    missing = [t for t in ("crun", "runc") if not shutil.which(t)] + ([] if os.path.exists("/bin/busybox") else ["busybox-static"])
    if missing:
        pytest.fail(f"test_runtime needs {', '.join(missing)} (scripts/install-deps installs them)")

# Device nodes put in the root filesystem (as an image or a hostPath could bring them): the host's loop0 and
# an SD card (block), /dev/mem and /dev/net/tun (character, not standard), and /dev/null and /dev/zero.
DEVICE_NODES = {"b-7-0": (stat.S_IFBLK, 7, 0), "b-179-0": (stat.S_IFBLK, 179, 0), "c-1-1": (stat.S_IFCHR, 1, 1),
                "c-10-200": (stat.S_IFCHR, 10, 200), "c-1-3": (stat.S_IFCHR, 1, 3), "c-1-5": (stat.S_IFCHR, 1, 5)}
# What the container sees of itself: identity, capability sets, seccomp, mount points, the devices in /dev
# (one line), and which of those nodes it may open (the device cgroup: standard character devices only).
INSPECT = ("hostname; echo pid=$$; grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|Seccomp|NoNewPrivs):' /proc/self/status; "
           "awk '{print $5}' /proc/self/mountinfo | sort; ls /dev | tr '\\n' ' '; echo; "
           "for n in /devnodes/*; do if err=$( (exec 3<> $n) 2>&1); then echo \"$n opened\"; else echo \"$n: ${err##*: }\"; fi; done; "
           "sleep 1.5")

DEFAULT_CAPS = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP",
                "CAP_NET_BIND_SERVICE", "CAP_NET_RAW", "CAP_SYS_CHROOT", "CAP_MKNOD", "CAP_AUDIT_WRITE", "CAP_SETFCAP"]
MASKED = ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
          "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap"]
READONLY = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]


def make_busybox_rootfs(prefix="edgectl-rootfs-"):
    """A root filesystem of busybox-static with every applet linked in /bin."""
    d = tempfile.mkdtemp(prefix=prefix)
    os.chmod(d, 0o755)
    for sub in ["bin", "proc", "dev", "sys", "tmp"]:
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    shutil.copy("/bin/busybox", os.path.join(d, "bin/busybox"))
    for applet in subprocess.run(["/bin/busybox", "--list"], capture_output=True, text=True).stdout.split():
        if applet != "busybox":
            os.symlink("busybox", os.path.join(d, "bin", applet))
    return d


@pytest.fixture(scope="module")
def rootfs():
    d = make_busybox_rootfs()
    os.makedirs(os.path.join(d, "devnodes"))
    for name, (kind, major, minor) in DEVICE_NODES.items():
        os.mknod(os.path.join(d, "devnodes", name), kind | 0o666, os.makedev(major, minor))
    yield d
    shutil.rmtree(d, ignore_errors=True)
    for controller in os.listdir("/sys/fs/cgroup"):
        try:
            os.rmdir(f"/sys/fs/cgroup/{controller}/edgectl-cmp")
        except OSError:
            pass


# The device allow-list runc and crun give a container: everything denied, then the standard character devices.
DEVICES = [{"allow": False, "access": "rwm"}] + [
    {"allow": True, "type": "c", "major": major, "minor": minor, "access": "rwm"}
    for major, minor in [(1, 3), (1, 5), (1, 7), (1, 8), (1, 9), (5, 0), (5, 1), (5, 2), (136, None)]]


def crun_bundle(rootfs, args, cgroup, memory, pids):
    # Inheritable empty, as runc and crun give containers since CVE-2022-24769.
    caps = {k: DEFAULT_CAPS for k in ["bounding", "effective", "permitted"]}
    caps["inheritable"] = []
    config = {
        "ociVersion": "1.0.2",
        "process": {"terminal": False, "user": {"uid": 0, "gid": 0}, "args": args, "cwd": "/",
                    "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                    "capabilities": caps, "noNewPrivileges": True},
        "root": {"path": rootfs, "readonly": False},
        "hostname": "box",
        "mounts": [
            {"destination": "/proc", "type": "proc", "source": "proc", "options": ["nosuid", "noexec", "nodev"]},
            {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
            {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
             "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
            {"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
            {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"]},
            {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]},
        ],
        "linux": {
            "namespaces": [{"type": t} for t in ["pid", "network", "ipc", "uts", "mount"]],
            "maskedPaths": MASKED, "readonlyPaths": READONLY,
            "cgroupsPath": "/" + cgroup,
            "resources": {"memory": {"limit": memory}, "pids": {"limit": pids},
                          "devices": [{k: v for k, v in d.items() if v is not None} for d in DEVICES]},
            # Any filter puts the process in seccomp mode 2; the profiles' contents are compared by behaviour elsewhere.
            "seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["kexec_load"], "action": "SCMP_ACT_ERRNO"}]},
        },
    }
    bundle = tempfile.mkdtemp(prefix="crun-bundle-")
    json.dump(config, open(os.path.join(bundle, "config.json"), "w"))
    return bundle


def cgroup_hybrid():
    """True when v1 controllers sit beside a mounted cgroup v2 tree, which crun refuses."""
    return os.path.ismount("/sys/fs/cgroup/unified") and not os.path.exists("/sys/fs/cgroup/cgroup.controllers")


def crun_command(args):
    """crun with `args`; on a hybrid host inside a private mount namespace without the v2 mount."""
    if not cgroup_hybrid():
        return ["crun", *args]
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c",
            'umount /sys/fs/cgroup/unified && exec crun "$@"', "crun", *args]


def cgroup_value(path, controller, name):
    return open(f"/sys/fs/cgroup/{controller}/{path}/{name}").read().strip()


def run_and_sample(cmd, cgroup, check=True):
    """Runs a container that inspects itself, reading its cgroup limits from the host while it sleeps."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    limits = {}

    def sample():
        # Read while the container is in its cgroup, to the last read: a runtime may write its limits
        # after making the directory (or find one a failed attempt left), so the first read can be early.
        deadline = time.time() + 5
        while time.time() < deadline and proc.poll() is None:
            try:
                if open(f"/sys/fs/cgroup/memory/{cgroup}/cgroup.procs").read().strip():
                    limits["memory"] = cgroup_value(cgroup, "memory", "memory.limit_in_bytes")
                    limits["pids"] = cgroup_value(cgroup, "pids", "pids.max")
            except OSError:
                pass
            time.sleep(0.05)
    t = threading.Thread(target=sample)
    t.start()
    out, err = proc.communicate(timeout=30)
    t.join()
    if check:
        assert proc.returncode == 0, err
    return out, limits, proc.returncode, err


@pytest.mark.skipif(os.path.exists("/sys/fs/cgroup/cgroup.controllers"), reason="this comparison reads cgroup v1 files")
def test_same_view_from_inside_as_crun(rootfs):
    memory, pids = 64 << 20, 100
    ours, our_limits, _, _ = run_and_sample([EDGECTL, "run-container", "--rootfs", rootfs, "--hostname", "box", "--cgroup", "edgectl-cmp/ours",
                                       "--memory", str(memory), "--pids", str(pids), "--", "sh", "-c", INSPECT], "edgectl-cmp/ours")
    bundle = crun_bundle(rootfs, ["sh", "-c", INSPECT], "edgectl-cmp/crun", memory, pids)
    try:
        theirs, their_limits, _, _ = run_and_sample(crun_command(["run", "--bundle", bundle, f"edgectl-cmp-{os.getpid()}"]),
                                                    "edgectl-cmp/crun")
    finally:
        shutil.rmtree(bundle, ignore_errors=True)
    assert ours.splitlines()[:2] == ["box", "pid=1"]
    if not os.path.exists("/proc/kcore"):
        # crun links /dev/core to /proc/kcore always; runc (and edgectl) only where the kernel has it.
        theirs = theirs.replace("\ncore fd ", "\nfd ")
    assert ours == theirs, f"edgectl:\n{ours}\ncrun:\n{theirs}"
    # Pinned on our side too, whatever crun's defaults become.
    assert "CapInh:\t0000000000000000" in ours.splitlines(), ours
    for name in ["b-7-0", "b-179-0", "c-1-1", "c-10-200"]:
        assert f"/devnodes/{name}: Operation not permitted" in ours.splitlines(), ours
    assert "/devnodes/c-1-3 opened" in ours.splitlines() and "/devnodes/c-1-5 opened" in ours.splitlines(), ours
    assert our_limits == their_limits == {"memory": str(memory), "pids": str(pids)}


def test_failures_are_reported(rootfs):
    r = subprocess.run([EDGECTL, "run-container", "--rootfs", rootfs, "--", "no-such-tool"], capture_output=True, text=True)
    assert r.returncode != 0 and "no-such-tool not found" in r.stderr, r.stderr
    r = subprocess.run([EDGECTL, "run-container", "--rootfs", "/nonexistent", "--", "sh"], capture_output=True, text=True)
    assert r.returncode != 0 and "failed to start the container" in r.stderr, r.stderr
    r = subprocess.run([EDGECTL, "run-container", "--rootfs", rootfs, "--", "sh", "-c", "exit 7"], capture_output=True, text=True)
    assert r.returncode == 7


@pytest.mark.skipif(os.path.exists("/sys/fs/cgroup/cgroup.controllers"), reason="cgroup v1 hosts only (v2 has no devices hierarchy)")
def test_devices_hierarchy_is_mounted_when_the_host_never_did(rootfs):
    """A cgroup v1 host that never mounted the devices controller (systemd does not need it): the runtime mounts
    it and the container still gets its device list. Shown in a private mount namespace with the hierarchy
    unmounted, so the machine's own mounts stay as they are."""
    script = 'umount /sys/fs/cgroup/devices && exec "$@"'
    r = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "wrap",
                        EDGECTL, "run-container", "--rootfs", rootfs, "--cgroup", "edgectl-cmp/devices-mount", "--",
                        "sh", "-c", "(exec 3<> /devnodes/b-7-0) 2>&1; (exec 3<> /devnodes/c-1-3) && echo null-opened"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    assert "Operation not permitted" in r.stdout and "null-opened" in r.stdout, r.stdout
