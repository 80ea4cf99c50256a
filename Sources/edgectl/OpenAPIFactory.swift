import EdgeAPI
import EdgeAPIServer

/// Builds the served OpenAPI documents: paths from the resource registry,
/// schemas from EdgeAPI's type schema.
enum OpenAPIFactory {
    static func schemaName(_ r: ResourceInfo) -> String {
        APISchema.shared.messageName(for: r).map(OpenAPISchemas.definitionName) ?? r.kind
    }

    static func documents() -> OpenAPIDocuments {
        OpenAPIDocuments(
            v3: { g, v in
                ["openapi": "3.0.0", "info": ["title": "Kubernetes", "version": .string(BuildInfo.kubernetesVersion)],
                 "paths": OpenAPIPaths.paths(group: g, version: v, schemaName: schemaName),
                 "components": ["schemas": OpenAPISchemas.schemas(for: ResourceRegistry.resources(group: g, version: v),
                                                                  refPrefix: "#/components/schemas/")]]
            },
            v2: {
                ["swagger": "2.0", "info": ["title": "Kubernetes", "version": .string(BuildInfo.kubernetesVersion)], "paths": [:],
                 "definitions": OpenAPISchemas.schemas(for: ResourceRegistry.all, refPrefix: OpenAPISchemas.v2RefPrefix)]
            })
    }
}
