import EdgeAPI
import EdgeRegistry

/// Builds the OpenAPI documents from a catalog snapshot: paths for every
/// resource, schemas from each strategy (EdgeAPI's type schema for built-ins,
/// the definitions a custom resource brings).
public enum OpenAPIBuilder {
    public static func schemaName(_ strategy: any ResourceStrategy) -> String {
        switch strategy.openAPI {
        case .builtin: return APISchema.shared.messageName(for: strategy.resource).map(OpenAPISchemas.definitionName) ?? strategy.resource.kind
        case .custom(let name, _): return name
        case .none: return strategy.resource.kind
        }
    }

    /// The OpenAPI v3 document of one group version.
    public static func v3(group: String, version: String, _ catalog: CatalogSnapshot, info: JSON) -> JSON {
        let strategies = catalog.strategies(group: group, version: version)
        let names = Dictionary(strategies.map { ($0.resource, schemaName($0)) }, uniquingKeysWith: { a, _ in a })
        let noStrategic = Set(strategies.filter { !$0.supportsStrategicMerge }.map(\.resource))
        return ["openapi": "3.0.0", "info": info,
                "paths": OpenAPIPaths.paths(group: group, version: version, resources: strategies.map(\.resource),
                                            schemaName: { names[$0] ?? $0.kind }, strategicMerge: { !noStrategic.contains($0) }),
                "components": ["schemas": schemas(strategies, refPrefix: "#/components/schemas/")]]
    }

    /// The swagger 2.0 document: definitions of every resource (kubectl's client-side validation reads it).
    public static func v2(_ catalog: CatalogSnapshot, info: JSON) -> JSON {
        ["swagger": "2.0", "info": info, "paths": [:], "definitions": schemas(catalog.strategies, refPrefix: OpenAPISchemas.v2RefPrefix)]
    }

    static func schemas(_ strategies: [any ResourceStrategy], refPrefix: String) -> JSON {
        var builtins: [ResourceInfo] = []
        var custom = JSONObject()
        for s in strategies {
            switch s.openAPI {
            case .builtin: builtins.append(s.resource)
            case .custom(_, let definitions): for (k, v) in definitions(refPrefix) { custom[k] = v }
            case .none: break
            }
        }
        guard case .object(var all) = OpenAPISchemas.schemas(for: builtins, refPrefix: refPrefix) else { return .object(custom) }
        if custom.isEmpty { return .object(all) }
        for (k, v) in custom { all[k] = v }
        var sorted = JSONObject()
        for k in all.sortedKeys { sorted[k] = all[k] }
        return .object(sorted)
    }
}
