"""Synthetic board OS images for the flash tests (images/board-image) and snapshots of their
filesystems, read without mounting (mtools for FAT, debugfs for ext4)."""
import hashlib
import json
import os
import shutil
import stat
import struct
import subprocess
import tempfile

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
SCRIPT = os.path.join(ROOT, "images", "board-image")
MTOOLS_ENV = dict(os.environ, MTOOLS_SKIP_CHECK="1")


def build(layout, path, arch="arm64", root_mb=64):
    subprocess.run([SCRIPT, layout, path, arch, str(root_mb)], check=True, capture_output=True)
    return path


def fake_binary(path, arch):
    """An executable header for `arch` (what flash checks), padded: a stand-in for a cross-built edgectl."""
    machine, cls = {"arm64": (183, 2), "amd64": (62, 2), "arm": (40, 1)}[arch]
    hdr = b"\x7fELF" + bytes([cls, 1, 1, 0]) + bytes(8) + struct.pack("<HHI", 2, machine, 1)
    with open(path, "wb") as f:
        f.write(hdr + bytes(64 - len(hdr)) + f"edgectl for {arch}\n".encode() * 64)
    os.chmod(path, 0o755)
    return path


def partitions(image):
    t = json.loads(subprocess.run(["sfdisk", "-J", image], check=True, capture_output=True, text=True).stdout)["partitiontable"]
    return [(p["start"] * 512, p["size"] * 512, p["type"]) for p in t["partitions"]]


def is_fat(image, offset):
    return subprocess.run(["mdir", "-i", f"{image}@@{offset}", "::/"], env=MTOOLS_ENV, capture_output=True).returncode == 0


def fat_snapshot(image, offset):
    """{path: sha256} of every file on the FAT filesystem."""
    out = subprocess.run(["mdir", "-/", "-b", "-i", f"{image}@@{offset}", "::/"], env=MTOOLS_ENV, check=True,
                         capture_output=True, text=True).stdout
    snap = {}
    for line in out.splitlines():
        path = line[2:] if line.startswith("::") else line
        if path.endswith("/") or not path:
            continue
        data = subprocess.run(["mcopy", "-n", "-i", f"{image}@@{offset}", "::" + path, "-"], env=MTOOLS_ENV, check=True,
                              capture_output=True).stdout
        snap[path] = hashlib.sha256(data).hexdigest()
    return snap


def ext4_dump(image, offset, dest):
    """The whole filesystem copied out with debugfs rdump (modes and owners kept)."""
    os.makedirs(dest, exist_ok=True)
    top = subprocess.run(["debugfs", "-R", "ls -p /", f"{image}?offset={offset}"], check=True, capture_output=True, text=True).stdout
    names = [l.split("/")[5] for l in top.splitlines() if l.count("/") >= 6 and l.split("/")[5] not in (".", "..", "lost+found")]
    for n in names:
        subprocess.run(["debugfs", "-R", f"rdump /{n} {dest}", f"{image}?offset={offset}"], check=True, capture_output=True)
    return dest


def ext4_snapshot(image, offset):
    """{path: (kind, mode, uid, gid, sha256 or link target)} of every entry."""
    d = tempfile.mkdtemp(prefix="edgectl-ext4-")
    try:
        ext4_dump(image, offset, d)
        snap = {}
        for base, dirs, files in os.walk(d):
            for n in dirs + files:
                p = os.path.join(base, n)
                st = os.lstat(p)
                rel = "/" + os.path.relpath(p, d)
                if stat.S_ISLNK(st.st_mode):
                    snap[rel] = ("link", 0o777, st.st_uid, st.st_gid, os.readlink(p))
                elif stat.S_ISDIR(st.st_mode):
                    snap[rel] = ("dir", stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid, "")
                else:
                    snap[rel] = ("file", stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid, hashlib.sha256(open(p, "rb").read()).hexdigest())
        return snap
    finally:
        shutil.rmtree(d, ignore_errors=True)


def snapshot(image):
    """{(partition number, path): entry} over every partition."""
    snap = {}
    for i, (offset, _size, _type) in enumerate(partitions(image), 1):
        part = fat_snapshot(image, offset) if is_fat(image, offset) else ext4_snapshot(image, offset)
        for k, v in part.items():
            snap[(i, k)] = v
    return snap


def diff(before, after):
    """(added, changed, removed) keys."""
    added = {k for k in after if k not in before}
    removed = {k for k in before if k not in after}
    changed = {k for k in after if k in before and after[k] != before[k]}
    return added, changed, removed
