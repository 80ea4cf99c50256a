import EdgeAPI

/// The CustomResourceDefinition kind's own OpenAPI definitions (`kubectl explain crd`, and the
/// schema kubectl's apply reads before patching a definition): its top-level fields, with
/// versions a list merged by name as upstream declares it.
enum CustomResourceDefinitionOpenAPI {
    static let prefix = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1."
    static let name = prefix + "CustomResourceDefinition"

    static func definitions(refPrefix: String) -> JSONObject {
        let r = BuiltinResources.customResourceDefinitions
        let gvk: (String) -> JSON = { kind in [["group": .string(r.group), "kind": .string(kind), "version": .string(r.version)]] }
        let free: JSON = ["type": "object", "x-kubernetes-preserve-unknown-fields": true]
        var out = OpenAPISchemas.definitions(reachableFrom: [CustomResourceOpenAPI.objectMeta, CustomResourceOpenAPI.listMeta],
                                             refPrefix: refPrefix)
        out[name] = [
            "description": "CustomResourceDefinition represents a resource that should be exposed on the API server.",
            "type": "object", "required": ["spec"],
            "properties": [
                "apiVersion": ["type": "string"], "kind": ["type": "string"],
                "metadata": ["$ref": .string(refPrefix + OpenAPISchemas.definitionName(CustomResourceOpenAPI.objectMeta))],
                "spec": ["description": "spec describes how the user wants the resources to appear", "type": "object",
                         "required": ["group", "names", "scope", "versions"],
                         "properties": [
                            "group": ["type": "string", "description": "group is the API group of the defined custom resource."],
                            "names": ["type": "object", "description": "names specify the resource and kind names for the custom resource.",
                                      "x-kubernetes-preserve-unknown-fields": true],
                            "scope": ["type": "string", "description": "scope indicates whether the defined custom resource is cluster- or namespace-scoped (Cluster, Namespaced)."],
                            "versions": ["type": "array", "description": "versions is the list of all API versions of the defined custom resource.",
                                         "items": free, "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"]],
                            "conversion": free,
                            "preserveUnknownFields": ["type": "boolean"],
                         ]],
                "status": ["description": "status indicates the actual state of the CustomResourceDefinition", "type": "object",
                           "x-kubernetes-preserve-unknown-fields": true],
            ],
            "x-kubernetes-group-version-kind": gvk("CustomResourceDefinition"),
        ]
        out[name + "List"] = [
            "type": "object", "required": ["items"],
            "properties": ["apiVersion": ["type": "string"], "kind": ["type": "string"],
                           "items": ["type": "array", "items": ["$ref": .string(refPrefix + name)]],
                           "metadata": ["$ref": .string(refPrefix + OpenAPISchemas.definitionName(CustomResourceOpenAPI.listMeta))]],
            "x-kubernetes-group-version-kind": gvk("CustomResourceDefinitionList"),
        ]
        return out
    }
}
