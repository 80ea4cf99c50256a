import EdgeAPI

extension ObjectStore {
    /// Admission for a create on a subresource whose body is not the object itself (a Binding, a
    /// TokenRequest, an Eviction): the chain sees the body as the object, and `ctx.subresource` names it.
    public func admitSubresourceCreate(_ r: ResourceInfo, namespace: String?, name: String, body: JSON,
                                       context ctx: WriteContext) async throws {
        var request = AdmissionRequest(operation: .create, resource: r, namespace: r.namespaced ? namespace : nil, name: name,
                                       object: body, context: ctx)
        try await admission.admit(&request, self)
        try await admission.validate(request, self)
    }
}
