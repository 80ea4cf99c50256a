"""Private registries: Debian's docker-registry with htpasswd auth on loopback,
pods pulling from it with imagePullSecrets (their own or their service
account's), as kubelet does. Root only (the local agent runs the pods)."""
import base64
import json
import os
import shutil
import subprocess
import tempfile
import time

import pytest

from conftest import EDGECTL, wait_for
from agent_node import agent_node
from local_registry import serving_images

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not all(shutil.which(t) for t in ("docker-registry", "skopeo", "htpasswd")),
    reason="private registry pods need root, docker-registry, skopeo and htpasswd (apache2-utils)")

USER, PASSWORD = "puller", "pw-for-e2e-7f3a"
WRONG_PASSWORD = "not-the-password-91c2"


@pytest.fixture(scope="module")
def registry():
    with serving_images(names=("busybox",), users={USER: PASSWORD}) as r:
        yield r


@pytest.fixture(scope="module")
def node(registry):
    with agent_node("edgectl-pullsecret-", "e2e-pull") as n:
        yield n


@pytest.fixture
def ns(node, request):
    _, k = node
    name = f"ps-{request.node.name[5:30].replace('_', '-').strip('-')}-{int(time.time() * 1000) % 100000}"
    k.run("create", "namespace", name)
    yield name
    k.run("delete", "namespace", name, "--wait=false", check=False)


def pull_failure(k, ns, name, reasons=("ErrImagePull", "ImagePullBackOff")):
    w = waiting(k, ns, name)
    return w if (w or {}).get("reason") in reasons else None


def status_of(k, ns, name):
    return lambda: json.dumps((get_pod(k, ns, name) or {}).get("status"))


def get_pod(k, ns, name):
    r = k.run("get", "pod", name, "-n", ns, "-o", "json", check=False)
    return json.loads(r.stdout) if r.returncode == 0 else None


def waiting(k, ns, name):
    p = get_pod(k, ns, name) or {}
    statuses = p.get("status", {}).get("containerStatuses") or [{}]
    return statuses[0].get("state", {}).get("waiting")


def running(k, ns, name):
    p = get_pod(k, ns, name)
    return p if p and p["status"].get("phase") == "Running" else None


def create_pod(k, ns, registry, name, pull_secrets=None, **spec):
    # Always: every pod really pulls, so a pod after a successful one cannot pass on the stored image.
    manifest = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns},
                "spec": {"terminationGracePeriodSeconds": 1, **spec,
                         "containers": [{"name": "main", "image": registry.image("busybox"), "imagePullPolicy": "Always",
                                         "command": ["sh", "-c", "exec sleep 3600"]}]}}
    if pull_secrets is not None:
        manifest["spec"]["imagePullSecrets"] = [{"name": n} for n in pull_secrets]
    k.run("apply", "-f", "-", input=json.dumps(manifest))


def docker_secret(k, ns, name, registry, password):
    k.run("create", "secret", "docker-registry", name, "-n", ns, f"--docker-server={registry.host}",
          f"--docker-username={USER}", f"--docker-password={password}")


def events(k, ns, pod):
    return json.loads(k.run("get", "events", "-n", ns, "--field-selector", f"involvedObject.name={pod}", "-o", "json").stdout)["items"]


def test_pod_without_pull_secret_fails_with_an_auth_message(node, registry, ns):
    _, k = node
    create_pod(k, ns, registry, "anonymous")
    # ErrImagePull may last only until the next sync turns it into ImagePullBackOff; both carry the error.
    w = wait_for(lambda: pull_failure(k, ns, "anonymous"), 60, "the pull to fail", status_of(k, ns, "anonymous"))
    assert registry.host in w["message"] and "requires authentication" in w["message"], w
    assert registry.image("busybox") in w["message"], w
    w = wait_for(lambda: pull_failure(k, ns, "anonymous", ("ImagePullBackOff",)), 60, "ImagePullBackOff", status_of(k, ns, "anonymous"))
    assert w["message"].startswith(f'Back-off pulling image "{registry.image("busybox")}"'), w
    assert "requires authentication" in w["message"], w
    assert any(e["reason"] == "Failed" and e["type"] == "Warning" for e in events(k, ns, "anonymous"))


def test_dockerconfigjson_secret_lets_the_pod_run(node, registry, ns):
    _, k = node
    docker_secret(k, ns, "regcred", registry, PASSWORD)
    secret = k.json("get", "secret", "regcred", "-n", ns)
    assert secret["type"] == "kubernetes.io/dockerconfigjson"
    create_pod(k, ns, registry, "private", pull_secrets=["regcred"])
    p = wait_for(lambda: running(k, ns, "private"), 60, "the pod with a pull secret to run", status_of(k, ns, "private"))
    assert p["status"]["containerStatuses"][0]["imageID"].startswith(registry.host + "/busybox@sha256:")
    assert any(e["reason"] == "Pulled" for e in events(k, ns, "private"))


def test_wrong_password_fails_naming_the_secret_not_its_contents(node, registry, ns):
    _, k = node
    docker_secret(k, ns, "badcred", registry, WRONG_PASSWORD)
    create_pod(k, ns, registry, "refused", pull_secrets=["badcred"])
    w = wait_for(lambda: pull_failure(k, ns, "refused"), 60, "the pull to fail", status_of(k, ns, "refused"))
    msg = w["message"]
    assert f"authentication failed at registry {registry.host}" in msg, w
    assert f"secret {ns}/badcred" in msg and registry.image("busybox") in msg, w
    everything = json.dumps(get_pod(k, ns, "refused")) + json.dumps(events(k, ns, "refused"))
    assert WRONG_PASSWORD not in everything and base64.b64encode(f"{USER}:{WRONG_PASSWORD}".encode()).decode() not in everything


def test_missing_secret_is_a_warning_and_the_next_secret_still_works(node, registry, ns):
    _, k = node
    docker_secret(k, ns, "regcred", registry, PASSWORD)
    create_pod(k, ns, registry, "partial", pull_secrets=["no-such-secret", "regcred"])
    wait_for(lambda: running(k, ns, "partial"), 60, "the pod to run with the secret that exists", status_of(k, ns, "partial"))
    warned = [e for e in events(k, ns, "partial") if e["reason"] == "FailedToRetrieveImagePullSecret"]
    assert warned and warned[0]["type"] == "Warning" and "no-such-secret" in warned[0]["message"], warned


def test_service_account_pull_secrets_are_copied_into_the_pod(node, registry, ns):
    _, k = node
    docker_secret(k, ns, "sacred", registry, PASSWORD)
    k.run("create", "serviceaccount", "builder", "-n", ns)
    k.run("patch", "serviceaccount", "builder", "-n", ns, "-p", json.dumps({"imagePullSecrets": [{"name": "sacred"}]}))
    create_pod(k, ns, registry, "via-sa", serviceAccountName="builder")
    p = wait_for(lambda: running(k, ns, "via-sa"), 60, "the pod to run with its service account's pull secret", status_of(k, ns, "via-sa"))
    assert p["spec"]["imagePullSecrets"] == [{"name": "sacred"}]


def test_images_pull_takes_creds(registry):
    d = tempfile.mkdtemp(prefix="edgectl-creds-")
    try:
        def pull(*extra):
            return subprocess.run([EDGECTL, "images", "pull", "--data-dir", d, *extra, registry.image("busybox")],
                                  capture_output=True, text=True, timeout=120)
        r = pull()
        assert r.returncode != 0 and "requires authentication" in r.stderr and "--creds" in r.stderr, r.stderr
        r = pull("--creds", f"{USER}:{WRONG_PASSWORD}")
        assert r.returncode != 0 and "authentication failed" in r.stderr and WRONG_PASSWORD not in r.stderr, r.stderr
        r = pull("--creds", f"{USER}:{PASSWORD}")
        assert r.returncode == 0 and "Image is up to date" in r.stdout, r.stderr
    finally:
        shutil.rmtree(d, ignore_errors=True)
