"""edgectl preflight: this machine's cgroup layout reported as it is, with the fix; a fake
Raspberry Pi root without the memory cgroup gets the exact file and arguments; a failing check
stops `edgectl server` unless --ignore-preflight-errors names it; boards list/show/detect."""
import os
import socket
import subprocess
import tempfile
import shutil

from conftest import EDGECTL, free_port


def edgectl(*args, env=None):
    e = dict(os.environ, **(env or {}))
    return subprocess.run([EDGECTL, *args], capture_output=True, text=True, timeout=60, env=e)


def mounts():
    return [l.split() for l in open("/proc/self/mounts")]


def test_this_machine_is_reported_as_it_is():
    r = edgectl("preflight", "--data-dir", tempfile.gettempdir() + "/edgectl-preflight-none", "--https-listen-port", str(free_port()),
                "--agent-api-port", str(free_port()))
    out = r.stdout
    if any(m[1] == "/sys/fs/cgroup" and m[2] == "cgroup2" for m in mounts()):
        assert "[ok] CgroupVersion: cgroup v2" in out, out
    elif any(m[1] == "/sys/fs/cgroup/unified" and m[2] == "cgroup2" for m in mounts()):
        # This machine: v1 controllers with cgroup2 at /sys/fs/cgroup/unified.
        assert "[warning CgroupVersion]: hybrid layout: controllers on cgroup v1 (" in out, out
        assert "cgroup v2 at /sys/fs/cgroup/unified with" in out
        assert "fix: boot with cgroup v2: add `systemd.unified_cgroup_hierarchy=1`" in out
    memory_on = any(l.split()[0] == "memory" and l.split()[3] == "1" for l in open("/proc/cgroups").read().splitlines()[1:])
    assert ("[ok] CgroupMemory" in out) == memory_on, out
    for name in ["KernelVersion", "Overlay", "Veth", "Bridge", "VXLAN", "NetfilterNAT", "Seccomp", "Iptables", "Swap", "ClockSync",
                 "FreeDisk", "SDCard", "Architecture"]:
        assert f" {name}" in out or f"{name}]" in out, f"{name} missing:\n{out}"
    assert r.returncode == (1 if "[error " in out else 0), out


def fake_pi(memory):
    d = tempfile.mkdtemp(prefix="edgectl-fakepi-pf-")
    def w(rel, text):
        p = os.path.join(d, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        open(p, "w").write(text)
    w("proc/device-tree/model", "Raspberry Pi 3 Model B Plus Rev 1.3\0")
    w("proc/cgroups", "#subsys_name\thierarchy\tnum_cgroups\tenabled\ncpu\t0\t1\t1\nmemory\t0\t1\t%d\npids\t0\t1\t1\n" % (1 if memory else 0))
    w("proc/self/mounts", "cgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n")
    w("sys/fs/cgroup/cgroup.controllers", "cpuset cpu io pids" + (" memory" if memory else "") + "\n")
    w("proc/cmdline", "console=tty1 root=PARTUUID=1-02 rootwait\n")
    w("boot/firmware/cmdline.txt", "console=tty1 root=PARTUUID=1-02 rootwait\n")
    w("proc/sys/kernel/osrelease", "6.6.51+rpt-rpi-v8\n")
    os.makedirs(os.path.join(d, "usr/sbin"))
    open(os.path.join(d, "usr/sbin/xtables-nft-multi"), "w").close()
    os.symlink("xtables-nft-multi", os.path.join(d, "usr/sbin/iptables"))
    return d


def test_raspberry_pi_without_memory_cgroup_gets_the_exact_fix():
    d = fake_pi(memory=False)
    try:
        r = edgectl("preflight", "--role", "agent", "--host-root", d, "--agent-api-port", str(free_port()))
        assert r.returncode == 1, r.stdout
        assert "board rpi3bplus (Raspberry Pi 3 Model B+)" in r.stdout
        assert "[error CgroupMemory]" in r.stdout
        assert "fix: add `cgroup_enable=memory cgroup_memory=1` at the end of the single line in /boot/firmware/cmdline.txt" in r.stdout
        assert "--ignore-preflight-errors=CgroupMemory" in r.stdout
        # This binary is not the board's architecture either (an amd64 test machine posing as a Pi).
        assert "[error Architecture]" in r.stdout
        ok = edgectl("preflight", "--role", "agent", "--host-root", d, "--agent-api-port", str(free_port()),
                     "--ignore-preflight-errors=CgroupMemory,Architecture,Port-8472")  # 8472: another test's VXLAN may hold it
        assert ok.returncode == 0, ok.stdout
        # The same check stops a server from starting, and names the flag to start anyway.
        data = tempfile.mkdtemp(prefix="edgectl-pf-server-")
        try:
            s = edgectl("server", "--data-dir", data, "--bind-address", "127.0.0.1", "--https-listen-port", str(free_port()),
                        "--agent-api-port", str(free_port()), env={"EDGECTL_HOST_ROOT": d})
            assert s.returncode != 0 and "preflight checks failed" in s.stderr and "CgroupMemory" in s.stderr, s.stderr
            assert not os.path.exists(os.path.join(data, "db")), "nothing started"
        finally:
            shutil.rmtree(data, ignore_errors=True)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_a_port_in_use_stops_the_server():
    with socket.socket() as busy:
        busy.bind(("0.0.0.0", 0))
        busy.listen()
        port = busy.getsockname()[1]
        data = tempfile.mkdtemp(prefix="edgectl-pf-port-")
        try:
            s = edgectl("server", "--data-dir", data, "--bind-address", "127.0.0.1", "--https-listen-port", str(port), "--disable-agent")
            assert s.returncode != 0 and f"[error Port-{port}]: tcp port {port} is in use" in s.stderr, s.stderr
        finally:
            shutil.rmtree(data, ignore_errors=True)


def test_boards_list_show_and_detect():
    r = edgectl("boards", "list")
    assert r.returncode == 0 and r.stdout.startswith("NAME")
    for name in ["rpi3b", "rpi3bplus", "rpi4", "rpi400", "rpi5", "rpi-zero2w", "cm4", "odroid-n2", "odroid-c4", "odroid-hc4",
                 "odroid-m1", "odroid-xu4", "generic-arm64", "generic-armv7", "generic-amd64"]:
        assert f"\n{name} " in r.stdout, name
    show = edgectl("boards", "show", "odroid-xu4").stdout
    assert "Samsung Exynos 5422" in show and "Architectures:    arm" in show and "boot.ini" in show
    bad = edgectl("boards", "show", "rpi9")
    assert bad.returncode != 0 and "no board named rpi9" in bad.stderr
    d = fake_pi(memory=True)
    try:
        assert edgectl("boards", "detect", "--host-root", d).stdout.startswith("rpi3bplus\t")
    finally:
        shutil.rmtree(d, ignore_errors=True)
