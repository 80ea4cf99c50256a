import EdgeAPI

/// Per-kind rules applied to every write before it is stored: defaults, then
/// validation. A seam so the kind-specific tables in EdgeAPI plug in here and
/// tests can swap in nothing at all.
public protocol Admission: Sendable {
    /// Fills defaults in place (create and update).
    func applyDefaults(_ obj: inout JSON, resource: ResourceInfo)
    /// Returns the APIError to send (422 Invalid) or nil when the object is acceptable.
    func validate(_ obj: JSON, old: JSON?, resource: ResourceInfo) -> APIError?
    /// Fields the schema does not define, as upstream-style paths (`.spec.foo`).
    func unknownFields(_ obj: JSON, resource: ResourceInfo) -> [String]
    /// Removes fields the schema does not define (what upstream's decoder drops).
    func pruneUnknownFields(_ obj: inout JSON, resource: ResourceInfo)
    /// The strategic-merge schema of a kind.
    func patchSchema(resource: ResourceInfo) -> (any PatchSchemaNode)?
}
