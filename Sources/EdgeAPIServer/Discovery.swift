import EdgeAPI
import EdgeRegistry

/// The discovery documents clients read to learn what the server serves:
/// legacy (/api, /apis, per group-version lists) and the aggregated v2 form
/// kubectl prefers (one request for everything), built from a catalog snapshot.
enum Discovery {
    static let aggregatedContentType = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

    static func subresourceVerbs(_ sub: String) -> [String] {
        switch sub {
        case "status", "scale", "approval": return ["get", "patch", "update"]
        case "binding", "eviction", "token": return ["create"]
        case "finalize": return ["update"]
        case "log": return ["get"]
        case "exec": return ["create", "get"]
        case "proxy": return ["create", "delete", "get", "patch", "update"]
        default: return ["get"]
        }
    }

    static func subresourceKind(_ sub: String, _ r: ResourceInfo) -> (group: String, version: String, kind: String) {
        switch sub {
        case "scale": return ("autoscaling", "v1", "Scale")
        case "binding": return ("", "v1", "Binding")
        case "eviction": return ("policy", "v1", "Eviction")
        case "token": return ("authentication.k8s.io", "v1", "TokenRequest")
        case "log", "exec", "proxy": return ("", "v1", sub == "log" ? "Pod" : (sub == "exec" ? "PodExecOptions" : "NodeProxyOptions"))
        default: return (r.group, r.version, r.kind)
        }
    }

    static func apiVersions(serverAddress: String) -> JSON {
        ["kind": "APIVersions", "versions": ["v1"],
         "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(serverAddress)]]]
    }

    static func groupList(_ catalog: CatalogSnapshot) -> JSON {
        var groups: [JSON] = []
        for (g, v) in catalog.groupVersions where !g.isEmpty {
            let gv: JSON = ["groupVersion": .string("\(g)/\(v)"), "version": .string(v)]
            groups.append(["name": .string(g), "versions": [gv], "preferredVersion": gv])
        }
        return ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groups)]
    }

    static func group(_ name: String, _ catalog: CatalogSnapshot) -> JSON? {
        guard let (g, v) = catalog.groupVersions.first(where: { $0.group == name && !name.isEmpty }) else { return nil }
        let gv: JSON = ["groupVersion": .string("\(g)/\(v)"), "version": .string(v)]
        return ["kind": "APIGroup", "apiVersion": "v1", "name": .string(g), "versions": [gv], "preferredVersion": gv]
    }

    static func resourceList(group: String, version: String, _ catalog: CatalogSnapshot) -> JSON? {
        let rs = catalog.resources(group: group, version: version)
        if rs.isEmpty { return nil }
        var out: [JSON] = []
        for r in rs {
            var e: JSON = ["name": .string(r.plural), "singularName": .string(r.singular), "namespaced": .bool(r.namespaced),
                           "kind": .string(r.kind), "verbs": .array(r.verbs.map { .string($0) })]
            if !r.shortNames.isEmpty { e["shortNames"] = .array(r.shortNames.map { .string($0) }) }
            if !r.categories.isEmpty { e["categories"] = .array(r.categories.map { .string($0) }) }
            out.append(e)
            for s in r.subresources {
                let k = subresourceKind(s, r)
                var se: JSON = ["name": .string("\(r.plural)/\(s)"), "singularName": "", "namespaced": .bool(r.namespaced),
                                "kind": .string(k.kind), "verbs": .array(subresourceVerbs(s).map { .string($0) })]
                if k.group != r.group || k.version != r.version {
                    se["group"] = .string(k.group)
                    se["version"] = .string(k.version)
                }
                out.append(se)
            }
        }
        let gv = group.isEmpty ? version : "\(group)/\(version)"
        return ["kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(gv), "resources": .array(out)]
    }

    /// apidiscovery.k8s.io/v2 APIGroupDiscoveryList for /api (core) or /apis (the rest).
    static func aggregated(core: Bool, _ catalog: CatalogSnapshot) -> JSON {
        var items: [JSON] = []
        for (g, v) in catalog.groupVersions where g.isEmpty == core {
            var resources: [JSON] = []
            for r in catalog.resources(group: g, version: v) {
                var e: JSON = [
                    "resource": .string(r.plural),
                    "responseKind": ["group": .string(r.group), "version": .string(r.version), "kind": .string(r.kind)],
                    "scope": .string(r.namespaced ? "Namespaced" : "Cluster"),
                    "singularResource": .string(r.singular),
                    "verbs": .array(r.verbs.map { .string($0) }),
                ]
                if !r.shortNames.isEmpty { e["shortNames"] = .array(r.shortNames.map { .string($0) }) }
                if !r.categories.isEmpty { e["categories"] = .array(r.categories.map { .string($0) }) }
                if !r.subresources.isEmpty {
                    e["subresources"] = .array(r.subresources.map { s in
                        let k = subresourceKind(s, r)
                        return ["subresource": .string(s),
                                "responseKind": ["group": .string(k.group), "version": .string(k.version), "kind": .string(k.kind)],
                                "verbs": .array(subresourceVerbs(s).map { .string($0) })]
                    })
                }
                resources.append(e)
            }
            items.append(["metadata": ["name": .string(g), "creationTimestamp": nil],
                          "versions": [["version": .string(v), "resources": .array(resources), "freshness": "Current"]]])
        }
        return ["kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": [:], "items": .array(items)]
    }
}
