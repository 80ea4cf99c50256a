"""The board binaries (scripts/cross-build): fully static, stripped, small, checksummed,
and under qemu-user they report their platform and survive kill -9 with nothing
acknowledged lost, with the SQLite store and TLS, as the x86_64 binary does."""
import hashlib
import os
import subprocess

import pytest

from boards import BOARDS, binary, command
from test_crash import kill9_during_concurrent_writes

ARCHES = sorted(BOARDS)


@pytest.mark.parametrize("arch", ARCHES)
def test_binary_is_static_stripped_small_and_checksummed(arch):
    path = binary(arch)
    size = os.path.getsize(path)
    assert size < 28 * 1024 * 1024, f"{path} is {size / 2**20:.1f} MiB; the boards' budget is 28 MB"
    headers = subprocess.run(["readelf", "-lS", "-W", path], capture_output=True, text=True, check=True).stdout
    assert "INTERP" not in headers and "DYNAMIC" not in headers, "needs no loader or shared library: fully static"
    assert ".symtab" not in headers and ".debug_info" not in headers, "stripped"
    want = open(path + ".sha256").read().split()
    assert want == [hashlib.sha256(open(path, "rb").read()).hexdigest(), os.path.basename(path)]


@pytest.mark.parametrize("arch", ARCHES)
def test_version_names_architecture_compiler_and_c_libraries(arch):
    out = subprocess.run(command(arch) + ["version"], capture_output=True, text=True, check=True, timeout=120).stdout
    kube_arch = BOARDS[arch][3]
    assert f"linux/{kube_arch}" in out.splitlines()[0], out
    assert f"architecture: {BOARDS[arch][2]}" in out, out
    assert "compiler: Swift 6.2" in out, out
    libs = next(l for l in out.splitlines() if l.startswith("libraries: "))
    for name in ("glibc 2.", "sqlite 3.", "mbedtls 3.6", "libseccomp 2.", "zlib 1."):
        assert name in libs, libs


@pytest.mark.parametrize("arch", ARCHES)
def test_kill9_under_qemu_loses_nothing_acknowledged(arch):
    # Emulated, the server acknowledges fewer writes a second: write longer before the kill.
    kill9_during_concurrent_writes(command(arch), write_seconds=12, min_acked=50)
