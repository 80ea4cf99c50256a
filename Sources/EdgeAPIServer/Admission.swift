import EdgeAPI

/// Per-kind rules applied to every write before it is stored: defaults, then
/// validation. A seam so the kind-specific tables in EdgeAPI plug in here and
/// tests can swap in nothing at all.
public protocol Admission: Sendable {
    /// Fills defaults in place (create and update).
    func applyDefaults(_ obj: inout JSON, resource: ResourceInfo)
    /// Returns the APIError to send (422 Invalid) or nil when the object is acceptable.
    func validate(_ obj: JSON, old: JSON?, resource: ResourceInfo) -> APIError?
    /// What typed decoding says of a body: the first value its field cannot hold
    /// and the fields the schema does not define (`spec.foo`).
    func checkDecoding(_ obj: JSON, resource: ResourceInfo) -> DecodeReport
    /// Removes fields the schema does not define (what upstream's decoder drops).
    func pruneUnknownFields(_ obj: inout JSON, resource: ResourceInfo)
    /// The strategic-merge schema of a kind.
    func patchSchema(resource: ResourceInfo) -> (any PatchSchemaNode)?
}
