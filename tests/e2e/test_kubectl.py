"""Issue 2 acceptance: kubectl v1.37 drives the server unchanged."""
import json
import os
import stat
import subprocess
import tempfile
import threading
import time

import yaml

APP_YAML = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web, tier: front}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: httpd
        image: busybox:1.36
        command: ["httpd", "-f", "-p", "8080"]
        ports:
        - containerPort: 8080
        env:
        - name: MODE
          value: one
      - name: sidecar
        image: busybox:1.36
        command: ["sleep", "3600"]
---
apiVersion: v1
kind: Service
metadata:
  name: web
  labels: {app: web}
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  labels: {app: web, tier: config}
data:
  greeting: hello
---
apiVersion: v1
kind: Secret
metadata:
  name: web-secret
  labels: {app: other}
type: Opaque
stringData:
  password: s3cret
"""


def write(tmp, name, text):
    p = os.path.join(tmp, name)
    with open(p, "w") as f:
        f.write(text)
    return p


def test_version_and_discovery(kubectl):
    out = kubectl.run("version", "-o", "json").stdout
    v = json.loads(out)
    assert v["serverVersion"]["major"] == "1"
    assert v["serverVersion"]["minor"] == "37"
    res = kubectl.run("api-resources").stdout
    for line in ["pods", "deployments", "horizontalpodautoscalers", "leases", "endpointslices", "certificatesigningrequests"]:
        assert line in res
    assert "deploy" in res and "apps/v1" in res


def test_explain_pod_containers(kubectl):
    out = kubectl.run("explain", "pod.spec.containers").stdout
    assert "KIND:" in out and "Pod" in out
    assert "FIELD: containers" in out or "FIELD:    containers" in out
    assert "image" in out and "name" in out


def test_apply_get_and_update_flow(kubectl, namespace):
    with tempfile.TemporaryDirectory() as tmp:
        path = write(tmp, "app.yaml", APP_YAML)
        out = kubectl.run("apply", "-n", namespace, "-f", path).stdout
        assert "deployment.apps/web created" in out
        assert "service/web created" in out
        assert "configmap/web-config created" in out
        assert "secret/web-secret created" in out

        out = kubectl.run("apply", "-n", namespace, "-f", path).stdout
        assert "deployment.apps/web unchanged" in out
        assert "configmap/web-config unchanged" in out
        rv_before = kubectl.json("get", "-n", namespace, "deployment", "web")["metadata"]["resourceVersion"]

        changed = APP_YAML.replace("value: one", "value: two").replace("greeting: hello", "greeting: bye")
        changed = changed.replace("replicas: 2", "replicas: 3")
        path2 = write(tmp, "app2.yaml", changed)
        out = kubectl.run("apply", "-n", namespace, "-f", path2).stdout
        assert "deployment.apps/web configured" in out
        d = kubectl.json("get", "-n", namespace, "deployment", "web")
        assert d["metadata"]["resourceVersion"] != rv_before
        assert d["spec"]["replicas"] == 3
        assert d["metadata"]["generation"] == 2
        c = d["spec"]["template"]["spec"]["containers"]
        assert [x["name"] for x in c] == ["httpd", "sidecar"]
        assert c[0]["env"] == [{"name": "MODE", "value": "two"}]
        assert kubectl.json("get", "-n", namespace, "configmap", "web-config")["data"] == {"greeting": "bye"}

        # Dropping the sidecar from the manifest removes it (3-way strategic merge).
        docs = list(yaml.safe_load_all(changed))
        docs[0]["spec"]["template"]["spec"]["containers"] = docs[0]["spec"]["template"]["spec"]["containers"][:1]
        path3 = write(tmp, "app3.yaml", yaml.safe_dump_all(docs))
        kubectl.run("apply", "-n", namespace, "-f", path3)
        d = kubectl.json("get", "-n", namespace, "deployment", "web")
        assert [x["name"] for x in d["spec"]["template"]["spec"]["containers"]] == ["httpd"]
        # The secret's stringData became base64 data.
        s = kubectl.json("get", "-n", namespace, "secret", "web-secret")
        assert s["data"]["password"] == "czNjcmV0"


def test_get_output_formats_and_selectors(kubectl, namespace):
    with tempfile.TemporaryDirectory() as tmp:
        kubectl.run("apply", "-n", namespace, "-f", write(tmp, "app.yaml", APP_YAML))
    for name, labels in [("p-a", "env=prod,tier=db"), ("p-b", "env=dev"), ("p-c", "env=staging,tier=db")]:
        kubectl.run("run", name, "-n", namespace, "--image=busybox:1.36", "--labels", labels, "--restart=Never", "--", "sleep", "1000")
    out = kubectl.run("get", "pods", "-n", namespace).stdout
    header = out.splitlines()[0].split()
    assert header == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert "Pending" in out
    wide = kubectl.run("get", "pods", "-n", namespace, "-o", "wide").stdout.splitlines()[0]
    assert "IP" in wide and "NODE" in wide and "NOMINATED NODE" in wide
    y = yaml.safe_load(kubectl.run("get", "pod", "p-a", "-n", namespace, "-o", "yaml").stdout)
    assert y["kind"] == "Pod" and y["metadata"]["labels"]["env"] == "prod"
    assert y["spec"]["restartPolicy"] == "Never"
    assert y["spec"]["containers"][0]["imagePullPolicy"] == "IfNotPresent"
    assert y["status"]["phase"] == "Pending"
    jp = kubectl.run("get", "pods", "-n", namespace, "-l", "env", "-o", "jsonpath={.items[*].metadata.name}").stdout
    assert jp.split() == ["p-a", "p-b", "p-c"]

    def names(*sel):
        out = kubectl.run("get", "pods", "-n", namespace, "-o", "name", *sel).stdout.split()
        # The deployment's pods (web-*) are in the namespace too; the cases are about p-*.
        return sorted(x.split("/")[1] for x in out if x.split("/")[1].startswith("p-"))

    assert names("-l", "env in (prod,dev)") == ["p-a", "p-b"]
    assert names("-l", "env notin (prod)") == ["p-b", "p-c"]
    assert names("-l", "env!=dev") == ["p-a", "p-c"]
    assert names("-l", "tier") == ["p-a", "p-c"]
    assert names("-l", "!tier") == ["p-b"]
    assert names("-l", "env=prod,tier=db") == ["p-a"]
    assert names("--field-selector", "metadata.name=p-b") == ["p-b"]
    assert names("--field-selector", "status.phase=Pending,metadata.name!=p-a") == ["p-b", "p-c"]
    shown = kubectl.run("get", "pods", "-n", namespace, "--show-labels").stdout
    assert "LABELS" in shown.splitlines()[0] and "env=prod,tier=db" in shown
    all_ns = kubectl.run("get", "configmaps", "-A").stdout
    assert all_ns.splitlines()[0].split()[0] == "NAMESPACE" and namespace in all_ns
    bad = kubectl.run("get", "pods", "-n", namespace, "--field-selector", "spec.bogus=1", check=False)
    assert bad.returncode != 0 and "field label not supported" in bad.stderr
    desc = kubectl.run("describe", "pod", "p-a", "-n", namespace).stdout
    assert "Name:" in desc and "p-a" in desc and "env=prod" in desc
    desc = kubectl.run("describe", "deployment", "web", "-n", namespace).stdout
    assert "Replicas:" in desc and "busybox:1.36" in desc


def test_label_annotate_patch_edit_scale(kubectl, namespace, tmp_path):
    with tempfile.TemporaryDirectory() as tmp:
        kubectl.run("apply", "-n", namespace, "-f", write(tmp, "app.yaml", APP_YAML))
    kubectl.run("label", "-n", namespace, "deployment", "web", "team=blue")
    kubectl.run("annotate", "-n", namespace, "deployment", "web", "owner=alice")
    d = kubectl.json("get", "-n", namespace, "deployment", "web")
    assert d["metadata"]["labels"]["team"] == "blue"
    assert d["metadata"]["annotations"]["owner"] == "alice"
    kubectl.run("label", "-n", namespace, "deployment", "web", "team-")
    assert "team" not in kubectl.json("get", "-n", namespace, "deployment", "web")["metadata"]["labels"]

    kubectl.run("patch", "-n", namespace, "deployment", "web", "--type", "json",
                "-p", '[{"op":"replace","path":"/spec/replicas","value":4}]')
    assert kubectl.json("get", "-n", namespace, "deployment", "web")["spec"]["replicas"] == 4
    kubectl.run("patch", "-n", namespace, "deployment", "web", "--type", "merge",
                "-p", '{"metadata":{"labels":{"merged":"yes"}}}')
    assert kubectl.json("get", "-n", namespace, "deployment", "web")["metadata"]["labels"]["merged"] == "yes"
    kubectl.run("patch", "-n", namespace, "deployment", "web", "--type", "strategic",
                "-p", '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox:1.37"}]}}}}')
    c = kubectl.json("get", "-n", namespace, "deployment", "web")["spec"]["template"]["spec"]["containers"]
    assert [(x["name"], x["image"]) for x in c] == [("httpd", "busybox:1.36"), ("sidecar", "busybox:1.37")]
    bad = kubectl.run("patch", "-n", namespace, "deployment", "web", "--type", "json",
                      "-p", '[{"op":"test","path":"/spec/replicas","value":99}]', check=False)
    assert bad.returncode != 0

    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nsed -i 's/owner: alice/owner: bob/' \"$1\"\n")
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    kubectl.run("edit", "-n", namespace, "deployment", "web", env={"KUBE_EDITOR": str(editor)})
    assert kubectl.json("get", "-n", namespace, "deployment", "web")["metadata"]["annotations"]["owner"] == "bob"

    out = kubectl.run("scale", "-n", namespace, "deployment", "web", "--replicas=7").stdout
    assert "scaled" in out
    assert kubectl.json("get", "-n", namespace, "deployment", "web")["spec"]["replicas"] == 7
    scale = json.loads(kubectl.run("get", "--raw", f"/apis/apps/v1/namespaces/{namespace}/deployments/web/scale").stdout)
    assert scale["kind"] == "Scale" and scale["spec"]["replicas"] == 7 and scale["status"]["selector"] == "app=web"


def test_watch_shows_live_events(kubectl, namespace, server):
    from conftest import KUBECTL
    proc = subprocess.Popen([KUBECTL, "--kubeconfig", server.kubeconfig, "get", "configmaps", "-n", namespace,
                             "-w", "--output-watch-events"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = []
    reader = threading.Thread(target=lambda: [lines.append(l) for l in proc.stdout], daemon=True)
    reader.start()
    try:
        time.sleep(1.5)
        kubectl.run("create", "configmap", "watched", "-n", namespace, "--from-literal=a=1")
        kubectl.run("patch", "configmap", "watched", "-n", namespace, "-p", '{"data":{"a":"2"}}')
        kubectl.run("delete", "configmap", "watched", "-n", namespace)
        deadline = time.time() + 15
        while time.time() < deadline:
            text = "".join(lines)
            if "DELETED" in text:
                break
            time.sleep(0.2)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    text = "".join(lines)
    events = [l.split()[0] for l in text.splitlines() if "watched" in l]
    assert events[:3] == ["ADDED", "MODIFIED", "DELETED"], text


def test_delete_by_label_and_namespace(kubectl):
    ns = "delete-me-" + str(int(time.time()))
    kubectl.run("create", "namespace", ns)
    for i in range(3):
        kubectl.run("create", "configmap", f"cm{i}", "-n", ns, "--from-literal=k=v")
        kubectl.run("label", "configmap", f"cm{i}", "-n", ns, f"group={'a' if i < 2 else 'b'}")
    out = kubectl.run("delete", "configmaps", "-n", ns, "-l", "group=a").stdout
    assert "cm0" in out and "cm1" in out
    left = kubectl.run("get", "configmaps", "-n", ns, "-o", "name").stdout.split()
    assert [x for x in left if x.startswith("configmap/cm")] == ["configmap/cm2"]
    kubectl.run("delete", "namespace", ns, timeout=60)
    r = kubectl.run("get", "namespace", ns, check=False)
    assert r.returncode != 0 and "NotFound" in r.stderr
    r = kubectl.run("create", "configmap", "late", "-n", ns, check=False)
    assert r.returncode != 0 and "not found" in r.stderr
