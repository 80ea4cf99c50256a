import EdgeAPI
import EdgeAPIServer

/// Builds the served OpenAPI documents: paths from the resource registry,
/// schemas from EdgeAPI's type definitions.
enum OpenAPIFactory {
    static func schemaName(_ r: ResourceInfo) -> String {
        let pkg = r.group.isEmpty ? "core" : String(r.group.split(separator: ".")[0])
        return "io.k8s.api.\(pkg).\(r.version).\(r.kind)"
    }

    static func documents() -> OpenAPIDocuments {
        OpenAPIDocuments(
            v3: { g, v in
                ["openapi": "3.0.0", "info": ["title": "Kubernetes", "version": .string(BuildInfo.kubernetesVersion)],
                 "paths": OpenAPIPaths.paths(group: g, version: v, schemaName: schemaName),
                 "components": ["schemas": [:]]]
            },
            v2: { ["swagger": "2.0", "info": ["title": "Kubernetes", "version": .string(BuildInfo.kubernetesVersion)], "paths": [:], "definitions": [:]] })
    }
}
