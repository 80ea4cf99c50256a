import EdgeAPI

/// The `paths` part of an OpenAPI v3 group-version document: one entry per
/// resource (and subresource) with its operations and query parameters. kubectl
/// reads the PATCH operation's parameters to learn that the server validates
/// fields itself (`fieldValidation`), and then skips client-side validation.
public enum OpenAPIPaths {
    static func param(_ name: String, _ type: String = "string", description: String) -> JSON {
        ["name": .string(name), "in": "query", "description": .string(description), "schema": ["type": .string(type), "uniqueItems": true]]
    }

    static let writeParams: [JSON] = [
        param("dryRun", description: "When present, the request is checked but not persisted. Valid value: All."),
        param("fieldManager", description: "Name of the actor making the change."),
        param("fieldValidation", description: "How to treat unknown fields: Ignore, Warn (default) or Strict."),
    ]

    static let listParams: [JSON] = [
        param("labelSelector", description: "Only objects whose labels match."),
        param("fieldSelector", description: "Only objects whose fields match."),
        param("limit", "integer", description: "Page size."),
        param("continue", description: "Token of the next page."),
        param("resourceVersion", description: "Serve at or after this version."),
        param("resourceVersionMatch", description: "Exact or NotOlderThan."),
        param("timeoutSeconds", "integer", description: "End a watch after this long."),
        param("watch", "boolean", description: "Stream changes instead of listing."),
        param("allowWatchBookmarks", "boolean", description: "Allow BOOKMARK events."),
    ]

    /// `resources` are one group version's.
    /// `strategicMerge` says which resources take strategic merge patches (custom resources do not).
    public static func paths(group: String, version: String, resources: [ResourceInfo], schemaName: (ResourceInfo) -> String,
                             strategicMerge: (ResourceInfo) -> Bool = { _ in true }) -> JSON {
        var paths = JSONObject()
        let prefix = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        for r in resources {
            let gvk: JSON = ["group": .string(r.group), "version": .string(r.version), "kind": .string(r.kind)]
            let ref: JSON = ["$ref": .string("#/components/schemas/\(schemaName(r))")]
            func op(_ id: String, _ action: String, _ params: [JSON], body: Bool, bodyType: String = "application/json") -> JSON {
                var o: JSON = ["operationId": .string(id), "description": .string("\(id) \(r.kind)"),
                               "parameters": .array(params),
                               "responses": ["200": ["description": "OK", "content": ["application/json": ["schema": ref]]]],
                               "x-kubernetes-action": .string(action), "x-kubernetes-group-version-kind": gvk]
                if body {
                    o["requestBody"] = ["content": .object(JSONObject([(bodyType, ["schema": ref])])), "required": true]
                }
                return o
            }
            let base = r.namespaced ? "\(prefix)/namespaces/{namespace}/\(r.plural)" : "\(prefix)/\(r.plural)"
            let kind = r.kind
            paths[base] = [
                "get": op("list\(kind)", "list", listParams, body: false),
                "post": op("create\(kind)", "post", writeParams, body: true),
                "delete": op("deletecollection\(kind)", "deletecollection", listParams, body: false),
            ]
            let patchTypes = ["application/json-patch+json", "application/merge-patch+json"]
                + (strategicMerge(r) ? ["application/strategic-merge-patch+json"] : []) + ["application/apply-patch+yaml"]
            func patchOp(_ id: String) -> JSON {
                var o = op(id, "patch", writeParams + [param("force", "boolean", description: "Force apply.")], body: false)
                o["requestBody"] = ["content": .object(JSONObject(patchTypes.map { ($0, ["schema": ["type": "object"]]) })), "required": true]
                return o
            }
            paths[base + "/{name}"] = [
                "get": op("read\(kind)", "get", [], body: false),
                "put": op("replace\(kind)", "put", writeParams, body: true),
                "patch": patchOp("patch\(kind)"),
                "delete": op("delete\(kind)", "delete", [param("gracePeriodSeconds", "integer", description: "Seconds before deletion."),
                                                       param("propagationPolicy", description: "Orphan, Background or Foreground.")], body: false),
                "parameters": [["name": "name", "in": "path", "required": true, "schema": ["type": "string"]]],
            ]
            for s in r.subresources where ["status", "scale"].contains(s) {
                paths[base + "/{name}/\(s)"] = [
                    "get": op("read\(kind)\(s.capitalizedFirst)", "get", [], body: false),
                    "put": op("replace\(kind)\(s.capitalizedFirst)", "put", writeParams, body: true),
                    "patch": patchOp("patch\(kind)\(s.capitalizedFirst)"),
                ]
            }
        }
        return .object(paths)
    }
}

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
