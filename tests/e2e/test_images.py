"""The node's image store through the real binary: images built by images/build
from Debian packages, pushed with skopeo to Debian's docker-registry on loopback
and pulled by `edgectl images`; OCI layout and docker-archive imports; whiteouts
checked through a real overlayfs mount (root only); multi-arch index selection;
Bearer-token auth and digest verification against a small fake registry."""
import gzip
import hashlib
import http.server
import io
import json
import os
import platform
import shutil
import socket
import subprocess
import tarfile
import tempfile
import threading
import time
import urllib.parse

import pytest

from oci_layout import write_blob
from conftest import EDGECTL, free_port

REPO = os.path.join(os.path.dirname(__file__), "..", "..")
pytestmark = pytest.mark.skipif(not shutil.which("skopeo") or not shutil.which("docker-registry") or not os.path.exists("/bin/busybox"),
                                reason="needs skopeo, docker-registry and busybox-static")

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"


def host_platform():
    m = platform.machine()
    return {"x86_64": ("amd64", None), "aarch64": ("arm64", "v8"), "armv7l": ("arm", "v7")}.get(m, (m, None))


def edgectl(data_dir, *args, check=True):
    r = subprocess.run([EDGECTL, "images", *args, "--data-dir", data_dir], capture_output=True, text=True, timeout=120)
    if check and r.returncode != 0:
        raise AssertionError(f"edgectl images {' '.join(args)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    return r


def listed(data_dir):
    """`edgectl images list` rows as (IMAGE, TAG, IMAGE ID, SIZE)."""
    lines = edgectl(data_dir, "list").stdout.splitlines()
    assert lines[0].split() == ["IMAGE", "TAG", "IMAGE", "ID", "SIZE"]
    return [tuple(line.split()) for line in lines[1:]]


def skopeo(*args):
    r = subprocess.run(["skopeo", "--insecure-policy", *args], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, f"skopeo {' '.join(args)} failed:\n{r.stderr}"


def layout_manifest(layout):
    """(manifest digest, manifest, config digest) of a single-image OCI layout."""
    entry = json.load(open(os.path.join(layout, "index.json")))["manifests"][0]
    manifest = json.load(open(os.path.join(layout, "blobs", "sha256", entry["digest"][7:])))
    return entry["digest"], manifest, manifest["config"]["digest"]


def store_record(data_dir, image_id):
    return json.load(open(os.path.join(data_dir, "images", "images", image_id[7:] + ".json")))


def layer_dir(data_dir, diff_id):
    return os.path.join(data_dir, "images", "layers", diff_id[7:], "fs")


@pytest.fixture(scope="module")
def built():
    d = tempfile.mkdtemp(prefix="edgectl-images-")
    try:
        r = subprocess.run([os.path.join(REPO, "images", "build"), d], capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stderr
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def data_dir():
    d = tempfile.mkdtemp(prefix="edgectl-agent-")
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def registry():
    """Debian's docker-registry on 127.0.0.1 with filesystem storage in a temp dir."""
    d = tempfile.mkdtemp(prefix="edgectl-registry-")
    port = free_port()
    config = os.path.join(d, "config.yml")
    with open(config, "w") as f:
        f.write(f"version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {d}/data\n"
                f"  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n")
    log = open(os.path.join(d, "registry.log"), "wb")
    proc = subprocess.Popen(["docker-registry", "serve", config], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 20
        while True:
            assert proc.poll() is None, "docker-registry exited:\n" + open(os.path.join(d, "registry.log")).read()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert time.time() < deadline, "docker-registry did not start listening"
                time.sleep(0.1)
        yield f"127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        shutil.rmtree(d, ignore_errors=True)


def test_pull_list_rm_through_docker_registry(built, registry, data_dir):
    skopeo("copy", "--dest-tls-verify=false", f"oci:{built}/busybox:latest", f"docker://{registry}/busybox:latest")
    skopeo("copy", "--dest-tls-verify=false", f"oci:{built}/busybox-httpd:latest", f"docker://{registry}/busybox-httpd:1")
    _, manifest, config_digest = layout_manifest(f"{built}/busybox")

    out = edgectl(data_dir, "pull", f"{registry}/busybox:latest").stdout
    assert config_digest in out
    rows = listed(data_dir)
    assert (f"{registry}/busybox", "latest", config_digest[7:19]) == rows[0][:3]
    assert rows[0][3].endswith("MB")

    record = store_record(data_dir, config_digest)
    fs = layer_dir(data_dir, record["diffIDs"][0])
    assert os.path.isfile(os.path.join(fs, "bin", "busybox"))
    assert os.readlink(os.path.join(fs, "bin", "ls")) == "/bin/busybox"
    assert oct(os.stat(os.path.join(fs, "tmp")).st_mode & 0o7777) == "0o1777"
    r = subprocess.run([os.path.join(fs, "bin", "busybox"), "echo", "pulled"], capture_output=True, text=True)
    assert r.stdout.strip() == "pulled"
    # Layer blobs are not kept once unpacked; manifest and config are.
    blobs = os.listdir(os.path.join(data_dir, "images", "blobs", "sha256"))
    assert config_digest[7:] in blobs and manifest["layers"][0]["digest"][7:] not in blobs

    # busybox-httpd reuses the busybox layer: one more layer directory, not two.
    edgectl(data_dir, "pull", f"{registry}/busybox-httpd:1")
    assert len(os.listdir(os.path.join(data_dir, "images", "layers"))) == 2
    _, _, httpd_id = layout_manifest(f"{built}/busybox-httpd")
    httpd = store_record(data_dir, httpd_id)
    assert httpd["config"]["Cmd"] == ["httpd", "-f", "-v", "-p", "8080", "-h", "/www"]
    assert httpd["diffIDs"][0] == record["diffIDs"][0]
    assert open(os.path.join(layer_dir(data_dir, httpd["diffIDs"][1]), "www", "index.html")).read().startswith("<!doctype html>")

    edgectl(data_dir, "rm", f"{registry}/busybox:latest")
    assert [row[0] for row in listed(data_dir)] == [f"{registry}/busybox-httpd"]
    assert os.path.isdir(fs), "the shared layer stays while busybox-httpd uses it"
    edgectl(data_dir, "rm", f"{registry}/busybox-httpd:1")
    assert listed(data_dir) == []
    assert os.listdir(os.path.join(data_dir, "images", "layers")) == []


def test_pull_errors_name_the_reference_and_the_cause(registry, data_dir):
    r = edgectl(data_dir, "pull", f"{registry}/nope:1", check=False)
    assert r.returncode != 0
    assert f"pull {registry}/nope:1: manifest unknown (404)" in r.stderr
    port = free_port()
    r = edgectl(data_dir, "pull", f"127.0.0.1:{port}/x:1", check=False)
    assert r.returncode != 0 and f"cannot connect to 127.0.0.1:{port}" in r.stderr


def test_import_oci_layout_oci_archive_and_docker_archive(built, data_dir):
    edgectl(data_dir, "import", f"{built}/pause")
    _, _, pause_id = layout_manifest(f"{built}/pause")
    assert ("localhost/pause", "latest", pause_id[7:19]) == listed(data_dir)[0][:3]
    record = store_record(data_dir, pause_id)
    assert record["config"]["Entrypoint"] == ["/pause"]
    pause = os.path.join(layer_dir(data_dir, record["diffIDs"][0]), "pause")
    proc = subprocess.Popen([pause])
    try:
        time.sleep(0.3)
        assert proc.poll() is None, "pause should sleep"
        proc.terminate()
        assert proc.wait(timeout=5) == 0, "pause exits 0 on SIGTERM"
    finally:
        if proc.poll() is None:
            proc.kill()

    with tempfile.TemporaryDirectory() as d:
        skopeo("copy", f"oci:{built}/busybox:latest", f"docker-archive:{d}/bb.tar:example.com/tools/bb:1")
        skopeo("copy", f"oci:{built}/busybox-httpd:latest", f"oci-archive:{d}/httpd.tar:latest")
        out = edgectl(data_dir, "import", f"{d}/bb.tar").stdout
        assert "example.com/tools/bb:1" in out
        edgectl(data_dir, "import", f"{d}/httpd.tar", "--name", "web:v1")
    _, _, busybox_id = layout_manifest(f"{built}/busybox")
    rows = {(row[0], row[1]): row[2] for row in listed(data_dir)}
    assert rows[("example.com/tools/bb", "1")] == busybox_id[7:19]
    assert ("docker.io/library/web", "v1") in rows
    # The docker-archive (uncompressed layer) and the OCI archive (gzip) share the busybox layer.
    assert len(os.listdir(os.path.join(data_dir, "images", "layers"))) == 3


def tar_layer(members):
    """An uncompressed layer tar from (name, content or None for a directory)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, content in members:
            info = tarfile.TarInfo(name)
            info.mtime = 0
            if content is None:
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                t.addfile(info)
            else:
                info.size = len(content)
                info.mode = 0o644
                t.addfile(info, io.BytesIO(content))
    return buf.getvalue()


def write_image(layout, layers, arch, variant=None, cmd=("sh",)):
    """Blobs for one image (gzip layers); returns the manifest descriptor."""
    layer_descs = [dict(write_blob(layout, gzip.compress(tar, mtime=0)), mediaType="application/vnd.oci.image.layer.v1.tar+gzip")
                   for tar in layers]
    config = {"architecture": arch, "os": "linux", "config": {"Cmd": list(cmd)},
              "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(t).hexdigest() for t in layers]}}
    if variant:
        config["variant"] = variant
    config_desc = dict(write_blob(layout, json.dumps(config).encode()), mediaType="application/vnd.oci.image.config.v1+json")
    manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config_desc, "layers": layer_descs}
    platform_ = {"architecture": arch, "os": "linux"}
    if variant:
        platform_["variant"] = variant
    return dict(write_blob(layout, json.dumps(manifest).encode()), mediaType=OCI_MANIFEST, platform=platform_), config_desc["digest"]


def write_index(layout, entries):
    with open(os.path.join(layout, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
    with open(os.path.join(layout, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}, f)


@pytest.mark.skipif(os.geteuid() != 0, reason="whiteouts and overlay mounts need root")
def test_whiteouts_and_opaque_dirs_hide_lower_files_in_overlayfs(data_dir):
    lower = tar_layer([("etc", None), ("etc/motd", b"old motd"), ("etc/hostname", b"box"),
                       ("data", None), ("data/old", b"stale"), ("data/keep-not", b"stale too")])
    upper = tar_layer([("etc", None), ("etc/.wh.motd", b""), ("data", None), ("data/.wh..wh..opq", b""), ("data/new", b"fresh")])
    arch, variant = host_platform()
    mounted = tempfile.mkdtemp(prefix="edgectl-overlay-")
    is_mounted = False
    try:
        with tempfile.TemporaryDirectory() as layout:
            desc, image_id = write_image(layout, [lower, upper], arch, variant)
            desc["annotations"] = {"io.containerd.image.name": "example.com/whiteouts:1"}
            write_index(layout, [desc])
            edgectl(data_dir, "import", layout)
        diff_ids = store_record(data_dir, image_id)["diffIDs"]
        lowerdirs = ":".join(layer_dir(data_dir, d) for d in reversed(diff_ids))
        subprocess.run(["mount", "-t", "overlay", "overlay", "-o", f"lowerdir={lowerdirs}", mounted], check=True)
        is_mounted = True
        assert sorted(os.listdir(os.path.join(mounted, "etc"))) == ["hostname"]
        assert open(os.path.join(mounted, "etc", "hostname")).read() == "box"
        assert sorted(os.listdir(os.path.join(mounted, "data"))) == ["new"]
        assert open(os.path.join(mounted, "data", "new")).read() == "fresh"
    finally:
        if is_mounted:
            subprocess.run(["umount", mounted], check=False)
        os.rmdir(mounted)


def test_multi_arch_index_picks_the_host_platform(built, registry, data_dir):
    arch, variant = host_platform()
    other = "arm64" if arch != "arm64" else "amd64"
    with tempfile.TemporaryDirectory() as layout:
        shutil.copytree(f"{built}/busybox/blobs", f"{layout}/blobs")
        host_entry = json.load(open(f"{built}/busybox/index.json"))["manifests"][0]
        host_entry.pop("annotations")
        fake, fake_id = write_image(layout, [tar_layer([("README", b"fake " + other.encode())])], other,
                                    "v8" if other == "arm64" else None, cmd=("true",))
        index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [fake, host_entry]}
        index_desc = dict(write_blob(layout, json.dumps(index).encode()), mediaType=OCI_INDEX)
        index_desc["annotations"] = {"org.opencontainers.image.ref.name": "latest"}
        write_index(layout, [index_desc])
        skopeo("copy", "--all", "--dest-tls-verify=false", f"oci:{layout}:latest", f"docker://{registry}/multi:latest")
    _, _, busybox_id = layout_manifest(f"{built}/busybox")
    assert busybox_id in edgectl(data_dir, "pull", f"{registry}/multi:latest").stdout
    assert fake_id in edgectl(data_dir, "pull", f"{registry}/multi:latest", "--platform", f"linux/{other}").stdout
    readme = os.path.join(layer_dir(data_dir, store_record(data_dir, fake_id)["diffIDs"][0]), "README")
    assert open(readme).read() == f"fake {other}"
    # The tag now names the image pulled last; the other stays, untagged.
    rows = listed(data_dir)
    assert (f"{registry}/multi", "latest", fake_id[7:19]) in [r[:3] for r in rows]
    assert ("<none>", "<none>", busybox_id[7:19]) in [r[:3] for r in rows]


class FakeRegistry(http.server.BaseHTTPRequestHandler):
    """Serves one OCI layout as repository auth/busybox, only with a Bearer token
    from its own /token endpoint; blobs go through a redirect."""
    layout = ""
    token_requests = []
    tamper = False

    def log_message(self, *args):
        pass

    def reply(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        port = self.server.server_address[1]
        if url.path == "/token":
            FakeRegistry.token_requests.append(urllib.parse.parse_qs(url.query))
            return self.reply(200, b'{"token":"secret-token","expires_in":300}', [("Content-Type", "application/json")])
        if url.path.startswith("/storage/"):
            data = open(os.path.join(self.layout, "blobs", "sha256", url.path.split(":")[-1]), "rb").read()
            if self.tamper and len(data) > 1000:
                data = data[:-1] + bytes([data[-1] ^ 1])
            return self.reply(200, data, [("Content-Type", "application/octet-stream")])
        if self.headers.get("Authorization") != "Bearer secret-token":
            challenge = f'Bearer realm="http://127.0.0.1:{port}/token",service="fake-registry",scope="repository:auth/busybox:pull"'
            return self.reply(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}',
                              [("WWW-Authenticate", challenge), ("Content-Type", "application/json")])
        prefix = "/v2/auth/busybox/"
        if url.path.startswith(prefix + "manifests/"):
            ref = url.path[len(prefix + "manifests/"):]
            digest = json.load(open(os.path.join(self.layout, "index.json")))["manifests"][0]["digest"] if ref == "latest" else ref
            data = open(os.path.join(self.layout, "blobs", "sha256", digest[7:]), "rb").read()
            return self.reply(200, data, [("Content-Type", OCI_MANIFEST), ("Docker-Content-Digest", digest)])
        if url.path.startswith(prefix + "blobs/"):
            return self.reply(307, headers=[("Location", "/storage/" + url.path[len(prefix + "blobs/"):])])
        self.reply(404, b'{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]}')


@pytest.fixture
def fake_registry(built):
    FakeRegistry.layout = f"{built}/busybox"
    FakeRegistry.token_requests = []
    FakeRegistry.tamper = False
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeRegistry)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_bearer_token_auth_and_blob_redirects(built, fake_registry, data_dir):
    out = edgectl(data_dir, "pull", f"{fake_registry}/auth/busybox:latest").stdout
    _, _, busybox_id = layout_manifest(f"{built}/busybox")
    assert busybox_id in out
    assert FakeRegistry.token_requests, "the token endpoint was asked"
    assert FakeRegistry.token_requests[0] == {"service": ["fake-registry"], "scope": ["repository:auth/busybox:pull"]}
    assert listed(data_dir)[0][:2] == (f"{fake_registry}/auth/busybox", "latest")
    r = edgectl(data_dir, "pull", f"{fake_registry}/other:1", check=False)
    assert "repository name not known to registry (404)" in r.stderr


def test_tampered_blob_is_refused_and_nothing_is_stored(built, fake_registry, data_dir):
    FakeRegistry.tamper = True
    _, manifest, _ = layout_manifest(f"{built}/busybox")
    r = edgectl(data_dir, "pull", f"{fake_registry}/auth/busybox:latest", check=False)
    assert r.returncode != 0
    assert f"digest mismatch for blob {manifest['layers'][0]['digest']}" in r.stderr
    assert listed(data_dir) == []
    assert os.listdir(os.path.join(data_dir, "images", "layers")) == []
    assert os.listdir(os.path.join(data_dir, "images", "tmp")) == []
