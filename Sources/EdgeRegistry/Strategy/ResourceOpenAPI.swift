import EdgeAPI

/// What a resource contributes to the OpenAPI documents (`kubectl explain`,
/// client-side validation, and the integer fields the fuzz tests read).
public enum ResourceOpenAPI: Sendable {
    /// Built from EdgeAPI's type schema (the wire schema table) by apiVersion and kind.
    case builtin
    /// Definitions a custom resource brings: its schema's name and the definitions
    /// (keyed by name, `$ref`s written with the prefix given).
    case custom(schemaName: String, definitions: @Sendable (_ refPrefix: String) -> JSONObject)
    /// Nothing published.
    case none
}
