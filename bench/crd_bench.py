#!/usr/bin/env python3
"""Custom objects beside ConfigMaps in the same run (issue 12): 1,000 sequential creates
of each, then creates/s with 16 clients, on one server; the custom resource has a
schema with defaults, an enum, bounds and a pattern, so validation, defaulting and
pruning are in the measured path. Targets: sequential custom creates at least half
the ConfigMap rate, 16-client throughput at least 70 % of it."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from api_bench import APIConn, VALUE, run_clients, start_server  # noqa: E402

GROUP = "bench.example.com"
CRD = {
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": f"widgets.{GROUP}"},
    "spec": {"group": GROUP, "scope": "Namespaced", "names": {"plural": "widgets", "kind": "Widget"},
             "versions": [{"name": "v1", "served": True, "storage": True, "subresources": {"status": {}},
                           "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                               "spec": {"type": "object", "required": ["size"], "properties": {
                                   "size": {"type": "integer", "minimum": 1, "maximum": 10},
                                   "color": {"type": "string", "enum": ["red", "blue"], "default": "red"},
                                   "name": {"type": "string", "pattern": "^[a-z0-9-]+$"},
                                   "v": {"type": "string"}}},
                               "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}}}}]}}
N = 1000


def widget(name):
    return {"apiVersion": f"{GROUP}/v1", "kind": "Widget", "metadata": {"name": name},
            "spec": {"size": 3, "name": name, "v": VALUE}}


def configmap(name):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"v": VALUE}}


def sequential(c, path, make, prefix):
    t = time.perf_counter()
    for i in range(N):
        c.req("POST", path, make(f"{prefix}-{i}"))
    return N / (time.perf_counter() - t)


def creator(kubeconfig, path, kind, prefix, seconds, q):
    c = APIConn(kubeconfig)
    lat, n = [], 0
    end = time.time() + seconds
    make = widget if kind == "widget" else configmap
    while time.time() < end:
        t = time.perf_counter()
        c.req("POST", path, make(f"{prefix}-{n}"))
        lat.append(time.perf_counter() - t)
        n += 1
    q.put(lat)


def main(binary):
    proc, kubeconfig, _ = start_server(binary)
    try:
        c = APIConn(kubeconfig)
        c.req("POST", "/api/v1/namespaces", {"metadata": {"name": "bench"}})
        c.req("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", CRD)
        for _ in range(100):
            try:
                c.req("GET", f"/apis/{GROUP}/v1/namespaces/bench/widgets")
                break
            except RuntimeError:
                time.sleep(0.05)
        cm_path = "/api/v1/namespaces/bench/configmaps"
        w_path = f"/apis/{GROUP}/v1/namespaces/bench/widgets"
        cm_seq = sequential(c, cm_path, configmap, "seq")
        w_seq = sequential(c, w_path, widget, "seq")
        print(f"sequential creates: ConfigMap {cm_seq:.0f}/s, custom object {w_seq:.0f}/s ({w_seq / cm_seq:.0%}; target >= 50%)")
        cm16, _ = run_clients(creator, lambda i: (kubeconfig, cm_path, "configmap", f"c{i}"), 16)
        w16, _ = run_clients(creator, lambda i: (kubeconfig, w_path, "widget", f"c{i}"), 16)
        print(f"16 clients: ConfigMap {cm16:.0f}/s, custom object {w16:.0f}/s ({w16 / cm16:.0%}; target >= 70%)")
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    main(sys.argv[1])
