"""Issue 12 acceptance: kr8s (from PyPI) on custom objects. A definition applied server-side with
kubectl; then kr8s's own paths: a class made with new_class, create, get by name (kr8s asks with a
metadata.name field selector), list by plural and short name through discovery, label selectors,
merge and JSON patches, the status subresource, scale, watch and delete, and a refusal read as
kr8s reads it."""
import json
import queue
import threading

import pytest

from conftest import wait_for
from pypi_clients import require

GROUP = "kr8s.example.com"
# kr8s 0.20 names 1.28 to 1.35 as the versions it was tested with and warns on 1.37 (which upstream's
# 1.37 would answer too); the warning is about kr8s, not about this server.
pytestmark = pytest.mark.filterwarnings("ignore:Kubernetes version .* is not supported:UserWarning")


def sprocket_crd():
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": f"sprockets.{GROUP}"},
            "spec": {"group": GROUP, "scope": "Namespaced",
                     "names": {"plural": "sprockets", "singular": "sprocket", "kind": "Sprocket",
                               "listKind": "SprocketCollection", "shortNames": ["spr"]},
                     "versions": [{
                         "name": "v1", "served": True, "storage": True,
                         "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.replicas",
                                                                  "statusReplicasPath": ".status.replicas"}},
                         "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                             "spec": {"type": "object", "required": ["size"], "properties": {
                                 "size": {"type": "integer", "minimum": 1},
                                 "color": {"type": "string", "default": "red"},
                                 "replicas": {"type": "integer", "default": 1}}},
                             "status": {"type": "object", "properties": {
                                 "phase": {"type": "string"}, "replicas": {"type": "integer"}}}}}}}]}}


@pytest.fixture(scope="module")
def kr8s_module():
    require("kr8s")
    import kr8s
    return kr8s


@pytest.fixture(scope="module")
def sprockets(kubectl):
    # As operators ship their definitions: applied server-side.
    kubectl.run("apply", "--server-side", "-f", "-", input=json.dumps(sprocket_crd()))
    kubectl.run("wait", "--for=condition=Established", f"crd/sprockets.{GROUP}", "--timeout=10s")
    yield
    kubectl.run("delete", "crd", f"sprockets.{GROUP}", "--wait=false", check=False)


def test_kr8s_every_verb_on_custom_objects(kr8s_module, sprockets, server, namespace):
    kr8s = kr8s_module
    from kr8s.objects import new_class
    api = kr8s.api(kubeconfig=server.kubeconfig)
    Sprocket = new_class(kind="Sprocket", version=f"{GROUP}/v1", namespaced=True, scalable=True, scalable_spec="replicas")

    s = Sprocket({"metadata": {"name": "s1", "namespace": namespace, "labels": {"tier": "front"}}, "spec": {"size": 2}}, api=api)
    s.create()
    assert s.spec["color"] == "red" and s.spec["replicas"] == 1, "defaults in create's answer"
    Sprocket({"metadata": {"name": "s2", "namespace": namespace, "labels": {"tier": "back"}}, "spec": {"size": 5}},
             api=api).create()
    created_rv = s.metadata["resourceVersion"]

    # A watch from the create's revision, read on a thread of its own (kr8s's watch never ends by itself).
    events = queue.Queue()

    def watch():
        try:
            for kind, obj in api.watch("sprockets", namespace=namespace, since=created_rv):
                events.put((kind, obj.name, obj.raw.get("spec", {}).get("size")))
        except Exception as e:  # the server going away at the session's end closes the stream
            events.put(("ERROR", repr(e), None))
    threading.Thread(target=watch, daemon=True).start()

    got = Sprocket.get("s1", namespace=namespace, api=api)  # a list with fieldSelector=metadata.name=s1,
    assert got.spec["size"] == 2 and got.metadata["uid"] == s.metadata["uid"]
    assert got.exists()

    names = sorted(o.name for o in api.get("sprockets", namespace=namespace))
    assert names == ["s1", "s2"]
    assert sorted(o.name for o in api.get("spr", namespace=namespace)) == ["s1", "s2"], "short name via discovery"
    assert [o.name for o in api.get(f"sprockets.{GROUP}", namespace=namespace, label_selector={"tier": "back"})] == ["s2"]
    assert [o.name for o in api.get("sprockets", namespace=namespace, field_selector="metadata.name=s2")] == ["s2"]

    got.patch({"spec": {"size": 3}})
    assert got.spec["size"] == 3
    got.patch([{"op": "replace", "path": "/spec/size", "value": 4}], type="json")
    assert got.spec["size"] == 4
    got.patch({"status": {"phase": "Ready", "replicas": 1}, "spec": {"size": 9}}, subresource="status")
    assert got.status["phase"] == "Ready" and got.spec["size"] == 4, "the status subresource ignores spec"
    got.scale(3)
    got.refresh()
    assert got.spec["replicas"] == 3 and got.metadata["generation"] == 4

    # A refusal, as kr8s reads it: the Status body's code and message.
    with pytest.raises(kr8s.ServerError) as e:
        got.patch({"spec": {"size": 0}})
    assert e.value.response.status_code == 422
    assert "spec.size in body should be greater than or equal to 1" in e.value.status["message"]

    got.delete()
    wait_for(lambda: not Sprocket({"metadata": {"name": "s1", "namespace": namespace}}, api=api).exists(), 10, "s1 deleted")
    assert [o.name for o in api.get("sprockets", namespace=namespace)] == ["s2"]

    seen = []

    def deleted():
        while not events.empty():
            seen.append(events.get())
        return ("DELETED", "s1", 4) in seen
    wait_for(deleted, 10, "the watch's DELETED event", show=lambda: seen)
    assert ("MODIFIED", "s1", 3) in seen and ("MODIFIED", "s1", 4) in seen
    assert ("ADDED", "s2", 5) in seen


def test_list_kind_is_the_definitions(kubectl, sprockets, server, namespace):
    """spec.names.listKind names a list's kind, as upstream answers it."""
    kubectl.run("create", "-n", namespace, "-f", "-", input=json.dumps(
        {"apiVersion": f"{GROUP}/v1", "kind": "Sprocket", "metadata": {"name": "one"}, "spec": {"size": 1}}))
    lst = json.loads(kubectl.run("get", "--raw", f"/apis/{GROUP}/v1/namespaces/{namespace}/sprockets").stdout)
    assert lst["kind"] == "SprocketCollection" and lst["apiVersion"] == f"{GROUP}/v1"
    assert [i["metadata"]["name"] for i in lst["items"]] == ["one"]
    every = json.loads(kubectl.run("get", "--raw", f"/apis/{GROUP}/v1/sprockets").stdout)
    assert every["kind"] == "SprocketCollection"
    crd = kubectl.json("get", "crd", f"sprockets.{GROUP}")
    assert crd["status"]["acceptedNames"]["listKind"] == "SprocketCollection"
    doc = json.loads(kubectl.run("get", "--raw", f"/openapi/v3/apis/{GROUP}/v1").stdout)
    assert "com.example.kr8s.v1.SprocketCollection" in doc["components"]["schemas"]


def test_list_kind_defaults_to_kind_list(kubectl, server):
    crd = sprocket_crd()
    crd["metadata"]["name"] = f"cogs.{GROUP}"
    crd["spec"]["names"] = {"plural": "cogs", "kind": "Cog"}
    kubectl.run("apply", "--server-side", "-f", "-", input=json.dumps(crd))
    kubectl.run("wait", "--for=condition=Established", f"crd/cogs.{GROUP}", "--timeout=10s")
    try:
        got = kubectl.json("get", "crd", f"cogs.{GROUP}")
        assert got["spec"]["names"]["listKind"] == "CogList" and got["spec"]["names"]["singular"] == "cog"
        lst = json.loads(kubectl.run("get", "--raw", f"/apis/{GROUP}/v1/cogs").stdout)
        assert lst["kind"] == "CogList"
    finally:
        kubectl.run("delete", "crd", f"cogs.{GROUP}", "--wait=false", check=False)


def test_kr8s_applies_server_side_through_its_api_client(kr8s_module, sprockets, server, namespace):
    """kr8s 0.20 has no apply method of its own (its objects patch with merge or JSON patches only): a kr8s
    user applies server-side through kr8s's API client, as here, with two field managers."""
    import asyncio

    import kr8s.asyncio

    def doc(size=None, color=None):
        spec = {k: v for k, v in {"size": size, "color": color}.items() if v is not None}
        return json.dumps({"apiVersion": f"{GROUP}/v1", "kind": "Sprocket",
                           "metadata": {"name": "applied", "namespace": namespace}, "spec": spec})

    async def apply(api, body, manager, force=False):
        params = {"fieldManager": manager, **({"force": "true"} if force else {})}
        async with api.call_api("PATCH", version=f"{GROUP}/v1", base="/apis", namespace=namespace,
                                url="sprockets/applied", content=body, params=params, raise_for_status=False,
                                headers={"Content-Type": "application/apply-patch+yaml"}) as r:
            return r.status_code, r.json()

    async def run():
        api = await kr8s.asyncio.api(kubeconfig=server.kubeconfig)
        code, first = await apply(api, doc(size=3), "kr8s-app")
        assert code == 201, first
        assert first["spec"] == {"size": 3, "color": "red", "replicas": 1}
        assert [m["manager"] for m in first["metadata"]["managedFields"]] == ["kr8s-app"]
        # Another manager taking a field the first one owns: 409 naming it, then forcing takes it.
        code, conflict = await apply(api, doc(size=4), "kr8s-other")
        assert code == 409 and conflict["reason"] == "Conflict", conflict
        assert any(c.get("field") == ".spec.size" for c in conflict["details"]["causes"]), conflict
        code, forced = await apply(api, doc(size=4, color="blue"), "kr8s-other", force=True)
        assert code == 200 and forced["spec"]["size"] == 4 and forced["spec"]["color"] == "blue", forced
        got = await kr8s.asyncio.objects.new_class(kind="Sprocket", version=f"{GROUP}/v1", namespaced=True) \
            .get("applied", namespace=namespace, api=api)
        return got.raw

    raw = asyncio.run(run())
    assert raw["spec"]["size"] == 4
    assert {m["manager"] for m in raw["metadata"]["managedFields"]} == {"kr8s-other"}
