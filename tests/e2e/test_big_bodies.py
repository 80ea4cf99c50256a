"""Issue 9 item 7: bodies a client shapes to cost the server. A ConfigMap with
100k or 250k keys, two of them at once, and 3 MiB bodies of other shapes (deep
nesting, huge arrays, escapes, giant keys and numbers, long patches) are each
answered promptly, and /readyz keeps answering while they are. Timings are
printed; the bounds leave room for a loaded CI machine (the issue measured 27 s
and 95 s for the ConfigMaps)."""
import json
import os
import tempfile
import threading
import time

import pytest

from conftest import Server, free_port
from raw_api import RawAPI

LIMIT = 3 * 1024 * 1024
# Seconds: "well under a second" on an idle machine, with room for CI; stretched (at most 4x) when
# other work already keeps more runnable threads than there are cores, which still tells the
# quadratic blow-ups of the issue (27 s and 95 s) from a busy machine.
PROMPT = 3.0 * min(4.0, max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1)))


@pytest.fixture(scope="module")
def big_server():
    with tempfile.TemporaryDirectory(prefix="edgectl-big-") as d:
        s = Server(d, free_port()).start()
        api = RawAPI(s.kubeconfig)
        assert api.json("POST", "/api/v1/namespaces", {"metadata": {"name": "big"}})[0] == 201
        yield s
        s.stop()


def keys(n):
    """n distinct short config keys (base 36)."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = []
    for i in range(n):
        s = ""
        while True:
            i, r = divmod(i, 36)
            s = digits[r] + s
            if i == 0:
                break
        out.append(s)
    return out


def configmap_text(name, n):
    data = ",".join(f'"{k}":""' for k in keys(n))
    text = f'{{"apiVersion":"v1","kind":"ConfigMap","metadata":{{"name":"{name}"}},"data":{{{data}}}}}'
    assert len(text) < LIMIT, len(text)
    return text


def timed(api, method, path, body=None, headers=None):
    t = time.perf_counter()
    status, resp = api.json(method, path, body, headers)
    return status, resp, time.perf_counter() - t


def assert_alive(server, api):
    assert server.proc.poll() is None, open(server.log_path).read()[-3000:]
    assert api.ready()


@pytest.mark.parametrize("n", [100_000, 250_000])
def test_configmap_with_many_keys_is_created_promptly(big_server, n):
    api = RawAPI(big_server.kubeconfig)
    status, resp, took = timed(api, "POST", "/api/v1/namespaces/big/configmaps", configmap_text(f"keys-{n}", n))
    print(f"{n} keys: create {took:.2f}s")
    assert status == 201, str(resp)[:300]
    assert len(resp["data"]) == n
    assert took < 2 * PROMPT, f"{n} keys took {took:.1f}s to create"
    status, got, took = timed(api, "GET", f"/api/v1/namespaces/big/configmaps/keys-{n}")
    print(f"{n} keys: get {took:.2f}s")
    assert status == 200 and len(got["data"]) == n
    # An update that changes one key (a whole-object compare and a write). Sent without managedFields,
    # as kubectl replace sends what `kubectl get` showed (it hides them): a 250k-key map's FieldsV1 is as
    # big as the map, so sending both back would pass the 3 MiB body limit, as against upstream.
    got["metadata"].pop("managedFields", None)
    got["data"]["extra"] = "1"
    status, _, took = timed(api, "PUT", f"/api/v1/namespaces/big/configmaps/keys-{n}", got)
    print(f"{n} keys: update {took:.2f}s")
    assert status == 200 and took < 2 * PROMPT
    # A merge patch touching every key.
    patch = "{\"data\":{" + ",".join(f'"{k}":"x"' for k in keys(n)) + "}}"
    status, _, took = timed(api, "PATCH", f"/api/v1/namespaces/big/configmaps/keys-{n}", patch,
                            {"Content-Type": "application/merge-patch+json"})
    print(f"{n} keys: merge patch of every key {took:.2f}s")
    assert status == 200 and took < 2 * PROMPT
    assert_alive(big_server, api)


def test_two_big_creates_at_once_do_not_stall_readyz(big_server):
    api = RawAPI(big_server.kubeconfig)
    texts = [configmap_text(f"pair-{i}", 250_000) for i in range(2)]
    results = []

    def create(text):
        results.append(RawAPI(big_server.kubeconfig).json("POST", "/api/v1/namespaces/big/configmaps", text)[0])

    threads = [threading.Thread(target=create, args=(t,)) for t in texts]
    for t in threads:
        t.start()
    worst = 0.0
    while any(t.is_alive() for t in threads):
        t0 = time.perf_counter()
        assert api.ready()
        worst = max(worst, time.perf_counter() - t0)
        time.sleep(0.05)
    for t in threads:
        t.join()
    print(f"/readyz slowest answer during two 250k-key creates: {worst:.2f}s")
    assert results == [201, 201]
    assert worst < PROMPT


def unknown_field_body(name, junk):
    return f'{{"apiVersion":"v1","kind":"ConfigMap","metadata":{{"name":"{name}"}},"junk":{junk}}}'


SHAPES = {
    # name: (body text, expected status)
    "deep-at-limit": (lambda: unknown_field_body("deep-ok", "[" * 998 + "]" * 998), 201),
    "deep-past-limit": (lambda: unknown_field_body("deep-bad", "[" * 5000 + "]" * 5000), 400),
    "numbers": (lambda: unknown_field_body("numbers", "[" + ",".join(["1"] * 1_500_000) + "]"), 201),
    "objects": (lambda: unknown_field_body("objects", "[" + ",".join(["{}"] * 1_000_000) + "]"), 201),
    "escapes": (lambda: '{"metadata":{"name":"escapes"},"data":{"a":"' + "\\u00e9" * 500_000 + '"}}', 201),
    # Config keys are at most 253 characters: a valid refusal, quickly.
    "huge-key": (lambda: '{"metadata":{"name":"hugekey"},"data":{"' + "k" * 3_000_000 + '":""}}', 422),
    "huge-number": (lambda: unknown_field_body("hugenum", "1" + "0" * 3_000_000), 201),
    "huge-number-in-int-field": (lambda: '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"n"},"spec":{"replicas":1'
                                 + "0" * 3_000_000 + "}}", 400),
    "long-strings-array": (lambda: unknown_field_body("strings", json.dumps(["x" * 30] * 90_000)), 201),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_3mib_bodies_of_any_shape_are_answered_promptly(big_server, shape):
    api = RawAPI(big_server.kubeconfig)
    make, expected = SHAPES[shape]
    text = make()
    assert len(text) < LIMIT, len(text)  # the 413 path is its own test
    path = "/apis/apps/v1/namespaces/big/deployments" if "Deployment" in text[:60] else "/api/v1/namespaces/big/configmaps"
    status, resp, took = timed(api, "POST", path, text)
    print(f"{shape}: {len(text) / 1e6:.1f} MB answered {status} in {took:.2f}s")
    assert status == expected, str(resp)[:300]
    if status >= 400:
        assert resp["kind"] == "Status" and resp["code"] == status
    assert took < PROMPT, f"{shape} took {took:.1f}s"
    assert_alive(big_server, api)


def test_deep_nesting_is_refused_with_gos_words(big_server):
    api = RawAPI(big_server.kubeconfig)
    status, resp = api.json("POST", "/api/v1/namespaces/big/configmaps", unknown_field_body("deep", "[" * 1001 + "]" * 1001))
    assert status == 400
    assert "exceeded max depth" in resp["message"], resp


def test_long_json_patches_are_answered_promptly(big_server):
    api = RawAPI(big_server.kubeconfig)
    assert api.json("POST", "/api/v1/namespaces/big/configmaps", configmap_text("patched", 100_000))[0] == 201
    ops = [{"op": "replace", "path": f"/data/{k}", "value": "y"} for k in keys(10_000)]
    status, resp, took = timed(api, "PATCH", "/api/v1/namespaces/big/configmaps/patched", json.dumps(ops),
                               {"Content-Type": "application/json-patch+json"})
    print(f"10000 JSON patch operations on a 100k-key ConfigMap: {took:.2f}s")
    assert status == 200, str(resp)[:300]
    assert took < PROMPT
    status, resp = api.json("PATCH", "/api/v1/namespaces/big/configmaps/patched", json.dumps(ops + ops[:1]),
                            {"Content-Type": "application/json-patch+json"})
    assert status == 413 and resp["message"].endswith("The allowed maximum operations in a JSON patch is 10000, got 10001")


def test_body_past_3mib_is_413(big_server):
    api = RawAPI(big_server.kubeconfig)
    status, resp = api.json("POST", "/api/v1/namespaces/big/configmaps", '{"metadata":{"name":"x"},"data":{"a":"' + "a" * LIMIT + '"}}')
    assert status == 413
    assert resp["reason"] == "RequestEntityTooLarge" and resp["message"] == f"Request entity too large: limit is {LIMIT}"
    assert_alive(big_server, api)
