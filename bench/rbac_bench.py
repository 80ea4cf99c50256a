#!/usr/bin/env python3
"""Authorization's cost: GET p50 of one ConfigMap as the admin (system:masters, decided by the first
authorizer) beside a client-certificate user whose right comes from RBAC (one of 200 Roles and 200
RoleBindings in the namespace), same server, rounds alternating; and the server's RSS after.
Usage: rbac_bench.py path/to/edgectl"""
import datetime, json, os, ssl, statistics, sys, tempfile, time, http.client
os.environ["EDGECTL_BIN"] = os.path.abspath(sys.argv[1])
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
from conftest import Server, Kubectl, free_port  # noqa: E402
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

def cert(d, tls, cn, org):
    ca_cert = x509.load_pem_x509_certificate(open(os.path.join(tls, "ca.crt"), "rb").read())
    ca_key = serialization.load_pem_private_key(open(os.path.join(tls, "ca.key"), "rb").read(), password=None)
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    c = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, org), x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
         .issuer_name(ca_cert.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(now - datetime.timedelta(minutes=1)).not_valid_after(now + datetime.timedelta(hours=1))
         .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False).sign(ca_key, hashes.SHA256()))
    cp, kp = os.path.join(d, cn + ".crt"), os.path.join(d, cn + ".key")
    open(cp, "wb").write(c.public_bytes(serialization.Encoding.PEM))
    open(kp, "wb").write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cp, kp

def conn(port, tls, cp, kp):
    ctx = ssl.create_default_context(cafile=os.path.join(tls, "ca.crt"))
    ctx.load_cert_chain(cp, kp)
    c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx)
    return c

def p50(c, n=1000):
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        c.request("GET", "/api/v1/namespaces/default/configmaps/target")
        r = c.getresponse(); r.read()
        assert r.status == 200, r.status
        ts.append(time.perf_counter() - t)
    return statistics.median(ts) * 1e6

with tempfile.TemporaryDirectory() as d:
    s = Server(d, free_port()).start()
    try:
        k = Kubectl(s.kubeconfig)
        docs = []
        for i in range(200):
            docs.append({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": f"r{i}", "namespace": "default"},
                         "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"], "resourceNames": [f"cm{i}"]}]})
            docs.append({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": f"b{i}", "namespace": "default"},
                         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": f"r{i}"},
                         "subjects": [{"kind": "User", "name": f"user{i}"}, {"kind": "Group", "name": "devs" if i == 199 else f"g{i}"}]})
        docs[-2]["rules"][0]["resourceNames"] = ["target"]
        k.run("apply", "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "List", "items": docs}))
        k.run("create", "configmap", "target", "--from-literal=a=b")
        tls = os.path.join(d, "tls")
        admin = conn(s.port, tls, *cert(d, tls, "bench-admin", "system:masters"))
        alice = conn(s.port, tls, *cert(d, tls, "alice", "devs"))
        time.sleep(1)
        a, b = [], []
        for _ in range(5):
            a.append(p50(admin)); b.append(p50(alice))
        print("admin p50 us", [round(x) for x in a], "median", round(statistics.median(a)))
        print("rbac  p50 us", [round(x) for x in b], "median", round(statistics.median(b)))
        print("overhead %", round((statistics.median(b) / statistics.median(a) - 1) * 100, 2))
        rss = open(f"/proc/{s.proc.pid}/status").read().split("VmRSS:")[1].split()[0]
        print("server RSS kB", rss)
    finally:
        s.stop()
