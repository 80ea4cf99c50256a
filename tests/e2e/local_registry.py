"""Images for pod tests: built from images/ recipes (Debian packages only) and
served by Debian's docker-registry on loopback, pushed there with skopeo."""
import contextlib
import os
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


class LocalRegistry:
    """`users` ({name: password}) turns on docker-registry's htpasswd auth: every
    request then needs Basic credentials, as a private registry's do."""

    def __init__(self, port, users=None):
        self.port = port
        self.users = dict(users or {})
        self.dir = tempfile.mkdtemp(prefix="edgectl-registry-")
        self.proc = None

    @property
    def host(self):
        return f"127.0.0.1:{self.port}"

    def start(self):
        cfg = os.path.join(self.dir, "config.yml")
        with open(cfg, "w") as f:
            f.write(f"version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: {self.dir}/data\n"
                    f"http:\n  addr: 127.0.0.1:{self.port}\n")
            if self.users:
                f.write(f"auth:\n  htpasswd:\n    realm: edgectl-e2e\n    path: {self.write_htpasswd()}\n")
        self.proc = subprocess.Popen(["docker-registry", "serve", cfg], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 15
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"http://{self.host}/v2/", timeout=1)
                return self
            except urllib.error.HTTPError as e:
                if e.code == 401 and self.users:
                    return self  # up, and asking for credentials as configured
                time.sleep(0.1)
            except Exception:
                time.sleep(0.1)
        raise RuntimeError("docker-registry did not start")

    def push_recipes(self, names=("busybox", "busybox-httpd", "pause")):
        out = os.path.join(self.dir, "layouts")
        subprocess.run(["bash", os.path.join(ROOT, "images", "build"), out], check=True, capture_output=True)
        creds = []
        if self.users:
            user, password = next(iter(self.users.items()))
            creds = ["--dest-creds", f"{user}:{password}"]
        for n in names:
            subprocess.run(["skopeo", "copy", "-q", "--dest-tls-verify=false", *creds, f"oci:{out}/{n}:latest",
                            f"docker://{self.host}/{n}:latest"], check=True, capture_output=True)
        return self

    def write_htpasswd(self):
        """bcrypt entries (the only hash docker-registry accepts) from apache2-utils' htpasswd."""
        path = os.path.join(self.dir, "htpasswd")
        with open(path, "w") as f:
            for user, password in self.users.items():
                f.write(subprocess.run(["htpasswd", "-Bbn", user, password], check=True, capture_output=True, text=True).stdout.strip() + "\n")
        return path

    def image(self, name):
        return f"{self.host}/{name}:latest"

    def stop(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)


@contextlib.contextmanager
def serving_images(names=("busybox", "busybox-httpd", "pause"), users=None):
    """A registry on a free loopback port holding the named recipes' images, stopped on exit:
    what every pod test's module-scoped `registry` fixture yields."""
    from conftest import free_port
    r = LocalRegistry(free_port(), users=users).start()
    try:
        yield r.push_recipes(names=names)
    finally:
        r.stop()
