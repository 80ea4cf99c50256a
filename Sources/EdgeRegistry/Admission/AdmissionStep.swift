import EdgeAPI

/// One admission plugin. A step may mutate (runs in the first pass, in
/// order, and may change the object), validate (runs in the second pass, in
/// order, on the final object), or both, as upstream's admission chain. It
/// refuses a request by throwing the APIError to answer (403 for policy,
/// 422 for invalid content). The store is passed in, not held, so steps can
/// read objects without the store owning a cycle back to them.
public protocol AdmissionStep: Sendable {
    /// Upstream's plugin name where there is one (`NamespaceLifecycle`, `NodeRestriction`).
    var name: String { get }
}

public protocol MutatingAdmissionStep: AdmissionStep {
    func admit(_ request: inout AdmissionRequest, _ store: ObjectStore) async throws
}

public protocol ValidatingAdmissionStep: AdmissionStep {
    func validate(_ request: AdmissionRequest, _ store: ObjectStore) async throws
}
