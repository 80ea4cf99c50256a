"""RBAC through kubectl 1.37 and the Python client: roles and bindings, `kubectl auth can-i`
(--list, --as, --as-group), `kubectl auth whoami`, aggregation into `view`, escalation refused, a
ServiceAccount token and a client-certificate user allowed and denied exactly as their roles say."""
import datetime
import os
import subprocess

import pytest
import yaml

from conftest import KUBECTL, wait_for
from signatures import strictly


def kubeconfig_with(server, tmp_path, name, user):
    cfg = yaml.safe_load(open(server.kubeconfig))
    cfg["users"][0]["user"] = user
    path = os.path.join(str(tmp_path), name + ".yaml")
    with open(path, "w") as f:
        yaml.safe_dump(cfg, f)
    return path


def as_config(path, *args):
    return subprocess.run([KUBECTL, "--kubeconfig", path, *args], capture_output=True, text=True, timeout=60)


def sa_token(kubectl, namespace, account):
    return kubectl.run("create", "token", account, "-n", namespace, "--duration", "15m").stdout.strip()


def can_i(kubectl, *args):
    r = kubectl.run("auth", "can-i", *args, check=False)
    return r.stdout.strip()


def test_roles_bindings_and_a_service_account_token(kubectl, server, namespace, tmp_path):
    kubectl.run("create", "serviceaccount", "reader", "-n", namespace)
    kubectl.run("create", "role", "pod-reader", "--verb=get,list,watch", "--resource=pods,configmaps", "-n", namespace)
    kubectl.run("create", "rolebinding", "reader-pods", "--role=pod-reader", f"--serviceaccount={namespace}:reader", "-n", namespace)
    roles = kubectl.run("get", "roles,rolebindings", "-n", namespace).stdout
    assert "pod-reader" in roles and "Role/pod-reader" in roles, roles
    cfg = kubeconfig_with(server, tmp_path, "reader", {"token": sa_token(kubectl, namespace, "reader")})
    wait_for(lambda: as_config(cfg, "get", "pods", "-n", namespace).returncode == 0, 10, "the binding to take effect")
    r = as_config(cfg, "get", "secrets", "-n", namespace)
    assert r.returncode != 0
    assert (f'secrets is forbidden: User "system:serviceaccount:{namespace}:reader" cannot list resource "secrets" '
            f'in API group "" in the namespace "{namespace}"') in r.stderr, r.stderr
    r = as_config(cfg, "get", "pods", "-n", "default")
    assert r.returncode != 0 and 'in the namespace "default"' in r.stderr, r.stderr
    # auth can-i as the account itself, and as the admin impersonating it.
    assert as_config(cfg, "auth", "can-i", "list", "pods", "-n", namespace).stdout.strip() == "yes"
    assert as_config(cfg, "auth", "can-i", "delete", "pods", "-n", namespace).stdout.strip() == "no"
    sa = f"system:serviceaccount:{namespace}:reader"
    assert can_i(kubectl, "get", "configmaps", "-n", namespace, "--as", sa) == "yes"
    assert can_i(kubectl, "get", "secrets", "-n", namespace, "--as", sa) == "no"
    listing = kubectl.run("auth", "can-i", "--list", "-n", namespace, "--as", sa).stdout
    assert "pods" in listing and "[get list watch]" in listing, listing
    assert "secrets" not in listing, listing
    who = as_config(cfg, "auth", "whoami", "-o", "json")
    assert who.returncode == 0, who.stderr
    assert yaml.safe_load(who.stdout)["status"]["userInfo"]["username"] == sa


def test_groups_cluster_roles_and_whoami(kubectl, namespace):
    kubectl.run("create", "clusterrole", f"{namespace}-nodes", "--verb=get,list", "--resource=nodes")
    kubectl.run("create", "clusterrolebinding", f"{namespace}-ops", f"--clusterrole={namespace}-nodes", f"--group={namespace}-ops")
    assert can_i(kubectl, "list", "nodes", "--as", "carol", "--as-group", f"{namespace}-ops") == "yes"
    assert can_i(kubectl, "list", "nodes", "--as", "carol") == "no"
    assert can_i(kubectl, "delete", "nodes", "--as", "carol", "--as-group", f"{namespace}-ops") == "no"
    assert "ClusterRole/" in kubectl.run("get", "clusterrolebinding", f"{namespace}-ops").stdout
    who = kubectl.run("auth", "whoami", "--as", "carol", "--as-group", f"{namespace}-ops").stdout
    assert "carol" in who and f"{namespace}-ops" in who and "system:authenticated" in who, who
    assert can_i(kubectl, "*", "*") == "yes"
    for role in ["cluster-admin", "admin", "edit", "view", "system:discovery", "system:basic-user", "system:public-info-viewer",
                 "system:node-bootstrapper", "system:certificates.k8s.io:certificatesigningrequests:nodeclient"]:
        kubectl.run("get", "clusterrole", role)


def test_impersonation_needs_the_impersonate_verb(kubectl, server, namespace, tmp_path):
    kubectl.run("create", "serviceaccount", "plain", "-n", namespace)
    cfg = kubeconfig_with(server, tmp_path, "plain", {"token": sa_token(kubectl, namespace, "plain")})
    r = as_config(cfg, "get", "pods", "-n", namespace, "--as", "admin", "--as-group", "system:masters")
    assert r.returncode != 0
    assert f'users "admin" is forbidden: User "system:serviceaccount:{namespace}:plain" cannot impersonate resource "users" in API group ""' \
        in r.stderr, r.stderr


def test_aggregation_into_view_and_escalation_refused(kubectl, namespace):
    # As a CRD's chart ships it: a ClusterRole labelled to aggregate into view.
    kubectl.run("apply", "-f", "-", input=f"""
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: {namespace}-widgets
  labels: {{rbac.authorization.k8s.io/aggregate-to-view: "true"}}
rules:
- {{apiGroups: [example.com], resources: [widgets], verbs: [get, list]}}
""")

    def aggregated():
        rules = kubectl.json("get", "clusterrole", "view")["rules"]
        return any("widgets" in r.get("resources", []) for r in rules)
    wait_for(aggregated, 15, "the labelled ClusterRole's rules in view")
    wait_for(lambda: any("widgets" in r.get("resources", []) for r in kubectl.json("get", "clusterrole", "admin")["rules"]),
             15, "view's rules in admin through edit")
    # bob may manage roles in the namespace but holds no secrets rights: granting them is refused.
    kubectl.run("create", "role", "role-manager", "--verb=create,get,list,update", "--resource=roles,rolebindings", "-n", namespace)
    kubectl.run("create", "rolebinding", "bob", "--role=role-manager", "--user=bob", "-n", namespace)
    r = kubectl.run("create", "role", "steal", "--verb=get", "--resource=secrets", "-n", namespace, "--as", "bob", check=False)
    assert r.returncode != 0
    assert 'roles.rbac.authorization.k8s.io "steal" is forbidden: user "bob" (groups=["system:authenticated"]) is attempting ' \
           'to grant RBAC permissions not currently held:' in r.stderr, r.stderr
    assert '{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}' in r.stderr, r.stderr
    assert kubectl.run("get", "role", "steal", "-n", namespace, check=False).returncode != 0
    r = kubectl.run("create", "rolebinding", "root", "--clusterrole=cluster-admin", "--user=bob", "-n", namespace, "--as", "bob", check=False)
    assert r.returncode != 0 and "is attempting to grant RBAC permissions not currently held" in r.stderr, r.stderr
    # What bob holds he may grant.
    kubectl.run("create", "role", "read-roles", "--verb=get,list", "--resource=roles", "-n", namespace, "--as", "bob")


RBAC_HEAVY = """
apiVersion: v1
kind: ServiceAccount
metadata: {name: operator, namespace: NS}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: NS-operator}
rules:
- apiGroups: [""]
  resources: [configmaps, events]
  verbs: ["*"]
- apiGroups: [apps]
  resources: [deployments]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: NS-operator}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: NS-operator}
subjects:
- {kind: ServiceAccount, name: operator, namespace: NS}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: operator, namespace: NS}
spec:
  replicas: 1
  selector: {matchLabels: {app: operator}}
  template:
    metadata: {labels: {app: operator}}
    spec:
      serviceAccountName: operator
      containers:
      - {name: operator, image: busybox, command: [sleep, "3600"]}
"""


def test_rbac_heavy_manifest_with_the_python_client(kubectl, server, namespace, tmp_path):
    from kubernetes import client, config
    from kubernetes.client.rest import ApiException
    manifest = os.path.join(str(tmp_path), "operator.yaml")
    with open(manifest, "w") as f:
        f.write(RBAC_HEAVY.replace("NS", namespace))
    kubectl.run("apply", "-f", manifest)
    cfg = client.Configuration()
    config.load_kube_config(config_file=server.kubeconfig, client_configuration=cfg)
    cfg.cert_file = cfg.key_file = None
    cfg.api_key = {"authorization": "Bearer " + sa_token(kubectl, namespace, "operator")}
    core = client.CoreV1Api(client.ApiClient(cfg))
    apps = client.AppsV1Api(client.ApiClient(cfg))

    def can_list():
        try:
            core.list_config_map_for_all_namespaces()
            return True
        except ApiException:
            return False
    wait_for(can_list, 10, "the ClusterRoleBinding to take effect")
    core.create_namespaced_config_map(namespace, {"metadata": {"name": "made-by-operator"}, "data": {"a": "b"}})
    core.delete_namespaced_config_map("made-by-operator", namespace)
    assert [d.metadata.name for d in apps.list_namespaced_deployment(namespace).items] == ["operator"]
    for call in (lambda: core.list_namespaced_secret(namespace), lambda: apps.delete_namespaced_deployment("operator", namespace),
                 lambda: core.list_namespaced_pod(namespace)):
        with pytest.raises(ApiException) as e:
            call()
        assert e.value.status == 403
        assert f"system:serviceaccount:{namespace}:operator" in e.value.body
    assert kubectl.run("get", "deployment", "operator", "-n", namespace).returncode == 0


def test_a_client_certificate_user(kubectl, server, namespace, tmp_path):
    """alice from a certificate the cluster CA signed (CN alice, O devs): her group's RoleBinding applies."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    tls = os.path.join(server.data_dir, "tls")
    # Strictly: cryptography warned about (and will reject) the NULL mbedtls 2.28 put in the signature algorithm.
    ca_cert = strictly(x509.load_pem_x509_certificate, open(os.path.join(tls, "ca.crt"), "rb").read())
    ca_key = serialization.load_pem_private_key(open(os.path.join(tls, "ca.key"), "rb").read(), password=None)
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, f"{namespace}-devs"),
                                     x509.NameAttribute(NameOID.COMMON_NAME, "alice")]))
            .issuer_name(ca_cert.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=1)).not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    crt, k = os.path.join(str(tmp_path), "alice.crt"), os.path.join(str(tmp_path), "alice.key")
    open(crt, "wb").write(cert.public_bytes(serialization.Encoding.PEM))
    open(k, "wb").write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    cfg = kubeconfig_with(server, tmp_path, "alice", {"client-certificate": crt, "client-key": k})
    kubectl.run("create", "rolebinding", "devs-edit", "--clusterrole=edit", f"--group={namespace}-devs", "-n", namespace)
    wait_for(lambda: as_config(cfg, "auth", "can-i", "create", "deployments", "-n", namespace).stdout.strip() == "yes", 10,
             "edit to apply to alice's group")
    assert as_config(cfg, "auth", "can-i", "create", "roles", "-n", namespace).stdout.strip() == "no"
    assert as_config(cfg, "auth", "can-i", "list", "pods", "-n", "default").stdout.strip() == "no"
    who = as_config(cfg, "auth", "whoami")
    assert "alice" in who.stdout and f"{namespace}-devs" in who.stdout, who.stdout + who.stderr
    r = as_config(cfg, "get", "secrets", "-n", "kube-system")
    assert 'User "alice" cannot list resource "secrets" in API group "" in the namespace "kube-system"' in r.stderr, r.stderr


PRIVILEGED = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "root"},
              "spec": {"containers": [{"name": "c", "image": "busybox", "securityContext": {"privileged": True}}]}}


def test_pod_security_enforce_and_warn(kubectl, namespace):
    import json
    kubectl.run("label", "namespace", namespace, "pod-security.kubernetes.io/enforce=restricted")
    r = kubectl.run("apply", "-n", namespace, "-f", "-", input=json.dumps(PRIVILEGED), check=False)
    assert r.returncode != 0
    assert ('pods "root" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false '
            '(container "c" must set securityContext.allowPrivilegeEscalation=false)') in r.stderr, r.stderr
    assert 'privileged (container "c" must not set securityContext.privileged=true)' in r.stderr, r.stderr
    assert kubectl.run("get", "pod", "root", "-n", namespace, check=False).returncode != 0
    kubectl.run("label", "namespace", namespace, "--overwrite", "pod-security.kubernetes.io/enforce=privileged",
                "pod-security.kubernetes.io/warn=baseline")
    r = kubectl.run("apply", "-n", namespace, "-f", "-", input=json.dumps(PRIVILEGED))
    assert 'Warning: would violate PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true)' \
        in r.stderr, r.stderr


RECONCILE = """
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: app-reader, namespace: NS}
rules:
- {apiGroups: [""], resources: [configmaps], verbs: [get, list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: app-reader, namespace: NS}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: app-reader}
subjects:
- {kind: User, name: dana, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: NS-reconciled}
rules:
- {apiGroups: [""], resources: [nodes], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: NS-reconciled}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: NS-reconciled}
subjects:
- {kind: Group, name: NS-ops, apiGroup: rbac.authorization.k8s.io}
"""


def test_auth_reconcile(kubectl, namespace, tmp_path):
    manifest = os.path.join(str(tmp_path), "rbac.yaml")
    with open(manifest, "w") as f:
        f.write(RECONCILE.replace("NS", namespace))
    # Nothing is made on a client dry run.
    def reconcile(*args):
        # kubectl prints each object on stdout and what reconciling it required on stderr.
        r = kubectl.run("auth", "reconcile", *args)
        return r.stdout + r.stderr
    out = reconcile("-f", manifest, "--dry-run=client")
    assert "role.rbac.authorization.k8s.io/app-reader reconciled (dry run)" in out, out
    assert kubectl.run("get", "role", "app-reader", "-n", namespace, check=False).returncode != 0
    out = reconcile("-f", manifest)
    for line in ["role.rbac.authorization.k8s.io/app-reader reconciled", "rolebinding.rbac.authorization.k8s.io/app-reader reconciled",
                 f"clusterrole.rbac.authorization.k8s.io/{namespace}-reconciled reconciled",
                 f"clusterrolebinding.rbac.authorization.k8s.io/{namespace}-reconciled reconciled", "reconciliation required create"]:
        assert line in out, out
    wait_for(lambda: can_i(kubectl, "list", "configmaps", "-n", namespace, "--as", "dana") == "yes", 10, "dana's binding")
    assert can_i(kubectl, "get", "nodes", "--as", "erin", "--as-group", f"{namespace}-ops") == "yes"
    # Rules and subjects added by hand are kept by a plain reconcile and removed when asked.
    kubectl.run("patch", "role", "app-reader", "-n", namespace, "--type=json",
                "-p", '[{"op":"add","path":"/rules/-","value":{"apiGroups":[""],"resources":["secrets"],"verbs":["get"]}}]')
    kubectl.run("patch", "rolebinding", "app-reader", "-n", namespace, "--type=json",
                "-p", '[{"op":"add","path":"/subjects/-","value":{"kind":"User","name":"frank","apiGroup":"rbac.authorization.k8s.io"}}]')
    out = reconcile("-f", manifest)
    assert "reconciliation required" not in out, out
    assert len(kubectl.json("get", "role", "app-reader", "-n", namespace)["rules"]) == 2
    out = reconcile("-f", manifest, "--remove-extra-permissions", "--remove-extra-subjects")
    assert "reconciliation required update" in out, out
    role = kubectl.json("get", "role", "app-reader", "-n", namespace)
    assert role["rules"] == [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]}], role
    binding = kubectl.json("get", "rolebinding", "app-reader", "-n", namespace)
    assert [s["name"] for s in binding["subjects"]] == ["dana"], binding
    wait_for(lambda: can_i(kubectl, "get", "secrets", "-n", namespace, "--as", "dana") == "no", 10, "the extra rule to be gone")
    # A changed roleRef cannot be updated: reconcile deletes and recreates the binding.
    with open(manifest, "w") as f:
        f.write(RECONCILE.replace("NS", namespace).replace("kind: Role, name: app-reader", "kind: ClusterRole, name: view"))
    uid = binding["metadata"]["uid"]
    out = reconcile("-f", manifest)
    assert "reconciliation required recreate" in out, out
    binding = kubectl.json("get", "rolebinding", "app-reader", "-n", namespace)
    assert binding["roleRef"]["kind"] == "ClusterRole" and binding["metadata"]["uid"] != uid
    # Reconciling is no way around escalation prevention.
    kubectl.run("create", "role", "binder", "--verb=get,create,update,patch", "--resource=roles,rolebindings", "-n", namespace)
    kubectl.run("create", "rolebinding", "gus-binder", "--role=binder", "--user=gus", "-n", namespace)
    steal = os.path.join(str(tmp_path), "steal.yaml")
    with open(steal, "w") as f:
        f.write(f"""apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: steal, namespace: {namespace}}}
rules:
- {{apiGroups: [""], resources: [secrets], verbs: [get]}}
""")
    r = kubectl.run("auth", "reconcile", "-f", steal, "--as", "gus", check=False)
    assert r.returncode != 0 and "is attempting to grant RBAC permissions not currently held" in r.stderr, r.stderr
    assert kubectl.run("get", "role", "steal", "-n", namespace, check=False).returncode != 0
