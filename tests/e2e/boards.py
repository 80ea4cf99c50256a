"""The board binaries scripts/cross-build makes, run on this machine under qemu-user.
Tests that use them fail (not skip) when they are missing: CI builds them first."""
import os
import shutil

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CROSS = os.environ.get("EDGECTL_CROSS_DIR", os.path.join(ROOT, ".build", "cross"))

# arch -> (binary, qemu command, `edgectl version` architecture line, kubernetes.io/arch, variant label)
BOARDS = {
    # A Raspberry Pi 4 class core (ARMv8.0-A). qemu's default, "max", adds the LSE atomics,
    # with which concurrent API requests stalled for seconds under emulation (docs/BENCHMARKS.md).
    "arm64": ("edgectl-linux-arm64", ["qemu-aarch64-static", "-cpu", "cortex-a72"], "aarch64 (64-bit)", "arm64", None),
    # A Raspberry Pi 2 class core: nothing newer than ARMv7-A + NEON may be used.
    "armv7": ("edgectl-linux-armv7", ["qemu-arm-static", "-cpu", "cortex-a7"], "armv7 (32-bit)", "arm", "v7"),
}


def binary(arch):
    path = os.path.join(CROSS, BOARDS[arch][0])
    assert os.path.isfile(path), f"no {path}: run scripts/cross-build all (the board binaries are built before the e2e tests)"
    return path


def command(arch):
    """argv prefix that runs the board binary for `arch` under qemu-user."""
    qemu = BOARDS[arch][1]
    assert shutil.which(qemu[0]), f"{qemu[0]} is missing: apt-get install qemu-user-static (scripts/install-deps)"
    return qemu + [binary(arch)]
