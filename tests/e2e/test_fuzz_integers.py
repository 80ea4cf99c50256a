"""Issue 9 item 6: random and boundary integers through every built-in kind's
create and update (every integer field the server's own OpenAPI schema names)
and through every integer query parameter, against the real binary, for
FUZZ_SECONDS (default 75). The server must stay up and answer every request
with a 2xx/4xx (a 504 only where upstream gives one: a resourceVersion ahead
of the store); a number that does not fit an int32 field must be a 400.
The seed is printed: FUZZ_SEED=<n> replays a run."""
import json
import os
import random
import tempfile
import time

import pytest

from conftest import Server, free_port
from raw_api import RawAPI

SECONDS = float(os.environ.get("FUZZ_SECONDS", "75"))
INT32_MIN, INT32_MAX = -2 ** 31, 2 ** 31 - 1
INT64_MIN, INT64_MAX = -2 ** 63, 2 ** 63 - 1

# Literal JSON texts, sent as written (so 9223372036854775808 and 1e999 reach the server unrounded).
BOUNDARY = ["0", "-1", "1", str(INT32_MIN), str(INT32_MIN - 1), str(INT32_MAX), str(INT32_MAX + 1), str(INT64_MIN),
            str(INT64_MAX), str(INT64_MAX + 1), str(INT64_MIN - 1), str(2 ** 64), str(2 ** 53), str(2 ** 53 + 1), "1.5",
            "-0.0", "1e308", "1e999", "-1e999", "1e-300", "1E2", "3.0", '"123"', '""', "true", "null", "[]", "{}",
            '"9223372036854775807"', "65536", "-2147483649", str(10 ** 30)]


def random_literal(rng):
    if rng.random() < 0.6:
        return rng.choice(BOUNDARY)
    bits = rng.choice([8, 16, 31, 32, 33, 53, 63, 64, 80])
    n = rng.randrange(-(2 ** bits), 2 ** bits)
    return str(n) if rng.random() < 0.9 else f"{n}.{rng.randrange(10)}"


def as_integer(literal):
    """The literal's integer value when it is written as one, else None."""
    try:
        return int(literal)
    except ValueError:
        return None


# ---------- the schema: integer fields of every kind, from the server's OpenAPI v3 ----------

def load_schemas(api):
    status, index = api.json("GET", "/openapi/v3")
    assert status == 200, index
    kinds = {}  # (group, version, kind) -> (schema name, components)
    for path, ref in index["paths"].items():
        status, doc = api.json("GET", ref["serverRelativeURL"])
        assert status == 200, (path, doc)
        comps = doc.get("components", {}).get("schemas", {})
        for name, s in comps.items():
            for gvk in s.get("x-kubernetes-group-version-kind", []):
                if not gvk["kind"].endswith("List"):
                    kinds[(gvk["group"], gvk["version"], gvk["kind"])] = (name, comps)
    return kinds


def integer_paths(name, comps, depth=0, seen=()):
    """(path, format) for every integer field under schema `name`; "[]" steps into lists, "{}" into maps."""
    out = []
    if depth > 12 or name in seen:
        return out
    for field, prop in comps.get(name, {}).get("properties", {}).items():
        out += prop_paths(prop, comps, [field], depth, seen + (name,))
    return out


def prop_paths(prop, comps, path, depth, seen):
    ref = prop.get("$ref") or (prop.get("allOf") or [{}])[0].get("$ref")
    if ref:
        target = ref.rsplit("/", 1)[1]
        t = comps.get(target, {})
        if t.get("format") == "int-or-string":
            return [(path, "int-or-string")]
        if t.get("type") != "object" or "properties" not in t:
            return []
        return [(path + p, f) for p, f in integer_paths(target, comps, depth + 1, seen)]
    if prop.get("type") == "integer":
        return [(path, prop.get("format", "int64"))]
    if prop.get("type") == "array":
        return prop_paths(prop.get("items", {}), comps, path + ["[]"], depth, seen)
    if prop.get("type") == "object" and "additionalProperties" in prop:
        return prop_paths(prop["additionalProperties"], comps, path + ["{}"], depth, seen)
    return []


# ---------- bodies ----------

CONTAINER = {"name": "c", "image": "busybox", "command": ["sleep", "3600"]}
TEMPLATE = {"metadata": {"labels": {"app": "fz"}}, "spec": {"containers": [CONTAINER]}}
BASES = {
    "Pod": {"spec": {"containers": [CONTAINER]}},
    "Deployment": {"spec": {"replicas": 1, "selector": {"matchLabels": {"app": "fz"}}, "template": TEMPLATE}},
    "ReplicaSet": {"spec": {"replicas": 1, "selector": {"matchLabels": {"app": "fz"}}, "template": TEMPLATE}},
    "DaemonSet": {"spec": {"selector": {"matchLabels": {"app": "fz"}}, "template": TEMPLATE}},
    "StatefulSet": {"spec": {"replicas": 1, "serviceName": "fz", "selector": {"matchLabels": {"app": "fz"}}, "template": TEMPLATE}},
    "Job": {"spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [CONTAINER]}}}},
    "CronJob": {"spec": {"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [CONTAINER]}}}}}},
    "Service": {"spec": {"ports": [{"port": 80, "targetPort": 8080}], "selector": {"app": "fz"}}},
    "HorizontalPodAutoscaler": {"spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "fz"}, "maxReplicas": 2}},
    "EndpointSlice": {"addressType": "IPv4", "endpoints": [{"addresses": ["10.0.0.1"]}], "ports": [{"port": 80}]},
    "Endpoints": {"subsets": [{"addresses": [{"ip": "10.0.0.1"}], "ports": [{"port": 80}]}]},
    "Lease": {"spec": {"holderIdentity": "fz"}},
    "ConfigMap": {"data": {"a": "b"}},
}
# Counts the controllers act on: real (not dry-run) objects keep them small so the run does not turn into a pod flood.
COUNT_FIELDS = {"replicas", "parallelism", "completions", "minReplicas", "maxReplicas"}


def set_path(obj, path, literal_marker):
    """Puts the marker at `path`, making one-element lists and one-key maps on the way."""
    cur = obj
    for i, step in enumerate(path):
        last = i == len(path) - 1
        nxt = path[i + 1] if not last else None
        if step == "[]":
            if not isinstance(cur, list):
                return False
            if not cur:
                cur.append([] if nxt == "[]" else {})
            if last:
                cur[0] = literal_marker
                return True
            cur = cur[0]
            continue
        if step == "{}":
            step = "k"
        if not isinstance(cur, dict):
            return False
        if last:
            cur[step] = literal_marker
            return True
        if not isinstance(cur.get(step), (dict, list)):
            cur[step] = [] if nxt == "[]" else {}
        cur = cur[step]
    return False


MARKER = "@@FUZZ@@"


def body_text(kind, api_version, name, path, literal, rng):
    obj = json.loads(json.dumps(BASES.get(kind, {})))
    obj.update({"apiVersion": api_version, "kind": kind, "metadata": {"name": name}})
    if not set_path(obj, path, MARKER):
        return None
    return json.dumps(obj).replace(json.dumps(MARKER), literal)


# ---------- the run ----------

@pytest.fixture(scope="module")
def fuzz_server():
    with tempfile.TemporaryDirectory(prefix="edgectl-fuzz-") as d:
        s = Server(d, free_port()).start()
        yield s
        s.stop()


class Run:
    def __init__(self, server):
        self.server = server
        self.api = RawAPI(server.kubeconfig, timeout=30)
        self.failures = []
        self.requests = 0
        self.by_status = {}

    def alive(self):
        if self.server.proc.poll() is not None or not self.api.ready():
            log = open(self.server.log_path, errors="replace").read()[-3000:]
            pytest.fail(f"the server died or stopped answering after {self.requests} requests; "
                        f"last failures {self.failures[-5:]}\n{log}")

    def send(self, method, path, body=None, headers=None, what=""):
        self.requests += 1
        try:
            status, _, data = self.api.request(method, path, body, headers)
        except Exception as e:  # noqa: BLE001 - any transport failure is a finding
            self.failures.append((what, method, path, f"no answer: {e!r}"))
            self.alive()
            return None, None
        self.by_status[status] = self.by_status.get(status, 0) + 1
        try:
            parsed = json.loads(data)
        except ValueError:
            parsed = data
        if status >= 500 and not (status == 504 and isinstance(parsed, dict) and parsed.get("reason") == "Timeout"):
            self.failures.append((what, method, path, status, str(parsed)[:300]))
        if self.requests % 40 == 0:
            self.alive()
        return status, parsed


def test_fuzz_integers_through_every_kind_and_query_parameter(fuzz_server):
    seed = int(os.environ.get("FUZZ_SEED", str(random.randrange(1 << 30))))
    print(f"FUZZ_SEED={seed}")
    rng = random.Random(seed)
    run = Run(fuzz_server)
    api = run.api
    kinds = load_schemas(api)
    assert len(kinds) >= 15, sorted(kinds)
    # Where each kind is served (from discovery), for the namespaced ones a namespace of its own.
    served = {}
    for gv in ["/api/v1"] + [f"/apis/{g['name']}/{v['version']}" for g in api.json("GET", "/apis")[1]["groups"] for v in g["versions"]]:
        for r in api.json("GET", gv)[1]["resources"]:
            if "/" in r["name"] or "create" not in r.get("verbs", []):
                continue
            group, version = (gv.split("/")[2], gv.split("/")[3]) if gv.startswith("/apis/") else ("", "v1")
            if (group, version, r["kind"]) in kinds:
                served[(group, version, r["kind"])] = (gv, r["name"], r["namespaced"])
    ns = "fuzz"
    assert api.json("POST", "/api/v1/namespaces", {"metadata": {"name": ns}})[0] == 201
    targets = []
    for key, (gv, plural, namespaced) in sorted(served.items()):
        name, comps = kinds[key]
        for path, fmt in integer_paths(name, comps):
            targets.append((key, gv, plural, namespaced, path, fmt))
    assert len(targets) > 300, f"only {len(targets)} integer fields found"
    print(f"{len(targets)} integer fields across {len(served)} kinds")

    checked_int32 = 0
    deadline = time.time() + SECONDS
    n = 0
    while time.time() < deadline:
        n += 1
        if rng.random() < 0.8:
            (group, version, kind), gv, plural, namespaced, path, fmt = rng.choice(targets)
            literal = random_literal(rng)
            api_version = f"{group}/{version}" if group else version
            base = f"{gv}/namespaces/{ns}/{plural}" if namespaced else f"{gv}/{plural}"
            name = f"fz-{n}"
            real = rng.random() < 0.25
            value = as_integer(literal)
            if real and path[-1] in COUNT_FIELDS and value is not None and value > 2:
                literal = "2"
                value = 2
            text = body_text(kind, api_version, name, path, literal, rng)
            if text is None:
                continue
            what = f"{kind} {'.'.join(path)}={literal}"
            status, resp = run.send("POST", base + ("" if real else "?dryRun=All"), text, what=what)
            if status is None:
                continue
            out_of_range = value is not None and ((fmt in ("int32", "int-or-string") and not INT32_MIN <= value <= INT32_MAX)
                                                  or (fmt == "int64" and not INT64_MIN <= value <= INT64_MAX))
            if out_of_range:
                checked_int32 += 1
                if status != 400:
                    run.failures.append((what, "POST", base, status, "a number past its field's type must be a 400", str(resp)[:300]))
            if real and status == 201 and rng.random() < 0.7:
                # Update: the same field, a new value, through PUT.
                literal2 = random_literal(rng)
                obj = resp
                if set_path(obj, path, MARKER):
                    run.send("PUT", f"{base}/{name}", json.dumps(obj).replace(json.dumps(MARKER), literal2),
                             what=f"update {kind} {'.'.join(path)}={literal2}")
        else:
            query_fuzz(run, rng, ns)
    run.alive()
    print(f"{run.requests} requests in {SECONDS:.0f}s, answers by status {sorted(run.by_status.items())}, "
          f"{checked_int32} out-of-range numbers checked")
    assert not run.failures, f"{len(run.failures)} bad answers (seed {seed}), e.g.:\n" + "\n".join(map(str, run.failures[:15]))
    assert checked_int32 > 50


QUERY_NUMBERS = ["0", "-1", "1", str(INT32_MAX + 1), str(INT64_MAX), str(INT64_MAX + 1), str(INT64_MIN), "-9223372036854775809",
                 "1e3", "1.5", "abc", "", "18446744073709551615", "18446744073709551616", "+5", "00012"]


def query_fuzz(run, rng, ns):
    v = lambda: rng.choice(QUERY_NUMBERS)  # noqa: E731
    base = f"/api/v1/namespaces/{ns}/configmaps"
    choice = rng.randrange(7)
    if choice == 0:
        run.send("GET", f"{base}?limit={v()}", what="list limit")
    elif choice == 1:
        # A watch that ends by itself; a resourceVersion ahead of the store is accepted and quiet.
        run.send("GET", f"{base}?watch=1&timeoutSeconds=1&resourceVersion={rng.choice([v(), '0', ''])}&limit={v()}", what="watch")
    elif choice == 2:
        rv = rng.choice([v(), "1", "0"])
        run.send("GET", f"{base}?resourceVersion={rv}&resourceVersionMatch={rng.choice(['', 'NotOlderThan', 'Exact'])}", what="list rv")
    elif choice == 3:
        name = f"q-{rng.randrange(1 << 30)}"
        run.send("POST", f"/api/v1/namespaces/{ns}/pods", {"metadata": {"name": name},
                                                            "spec": {"nodeName": "nowhere", "containers": [CONTAINER]}}, what="pod")
        run.send("DELETE", f"/api/v1/namespaces/{ns}/pods/{name}?gracePeriodSeconds={v()}&dryRun={rng.choice(['All', ''])}", what="delete grace")
        run.send("DELETE", f"/api/v1/namespaces/{ns}/pods/{name}?gracePeriodSeconds=0", what="delete now")
    elif choice == 4:
        q = "&".join(f"{k}={v()}" for k in rng.sample(["sinceSeconds", "tailLines", "limitBytes"], rng.randrange(1, 4)))
        run.send("GET", f"/api/v1/namespaces/{ns}/pods/nothing-here/log?{q}", what="log")
    elif choice == 5:
        import base64
        token = base64.b64encode(json.dumps({"v": "meta.k8s.io/v1", "rv": json.loads(rng.choice(["1", str(INT64_MAX), "-1", "1e300", "0"])),
                                             "start": rng.choice(["", "a", "\u00ff"])}).encode()).decode()
        run.send("GET", f"{base}?limit=1&continue={rng.choice([token, 'not-base64', ''])}", what="continue")
    else:
        run.send("PUT", f"/apis/apps/v1/namespaces/{ns}/deployments/missing/scale",
                 f'{{"apiVersion":"autoscaling/v1","kind":"Scale","metadata":{{"name":"missing"}},"spec":{{"replicas":{random_literal(rng)}}}}}',
                 what="scale")
