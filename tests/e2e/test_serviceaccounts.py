"""Service accounts through kubectl: every namespace gets `default`, and
`kubectl create token` issues a token the API server accepts as that account."""
import os
import time

import yaml

from conftest import KUBECTL


def wait_for(fn, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if fn():
            return True
        time.sleep(0.2)
    return False


def token_kubeconfig(server, tmp_path, token):
    """The admin kubeconfig with the client certificate swapped for a bearer token."""
    cfg = yaml.safe_load(open(server.kubeconfig))
    cfg["users"][0]["user"] = {"token": token}
    path = os.path.join(tmp_path, "token.yaml")
    with open(path, "w") as f:
        yaml.safe_dump(cfg, f)
    return path


def test_default_account_and_token_authenticate(kubectl, server, namespace, tmp_path):
    assert wait_for(lambda: kubectl.run("get", "serviceaccount", "default", "-n", namespace, check=False).returncode == 0)
    token = kubectl.run("create", "token", "default", "-n", namespace, "--duration", "15m").stdout.strip()
    assert token.count(".") == 2
    import subprocess
    as_sa = token_kubeconfig(server, str(tmp_path), token)
    r = subprocess.run([KUBECTL, "--kubeconfig", as_sa, "get", "pods", "-n", namespace], capture_output=True, text=True)
    # Authenticated as the account (no role grants it pods): 403 naming it, not 401.
    assert r.returncode != 0
    assert f'User "system:serviceaccount:{namespace}:default" cannot list resource "pods"' in r.stderr, r.stderr
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    r = subprocess.run([KUBECTL, "--kubeconfig", token_kubeconfig(server, str(tmp_path), forged), "get", "pods"],
                       capture_output=True, text=True)
    assert r.returncode != 0 and "Unauthorized" in r.stderr, r.stderr
    short = kubectl.run("create", "token", "default", "-n", namespace, "--duration", "1m", check=False)
    assert short.returncode != 0 and "10 minutes" in short.stderr, short.stderr
