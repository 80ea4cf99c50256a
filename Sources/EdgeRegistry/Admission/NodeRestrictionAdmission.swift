import EdgeAPI

/// Upstream's NodeRestriction plugin as a step of the admission chain: a node's
/// creates, updates and deletes are judged by NodeRestriction's rules (its own
/// Node and Lease, pods bound to it, mirror pods of itself, tokens for its
/// pods); every other user passes untouched. Updates and deletes are judged
/// inside the store's compare-and-swap, on the object actually written.
public struct NodeRestrictionAdmission: MutatingAdmissionStep {
    public let name = "NodeRestriction"
    public init() {}

    public func admit(_ request: inout AdmissionRequest, _ store: ObjectStore) async throws {
        guard NodeIdentity.nodeName(of: request.user) != nil else { return }
        let operation: NodeRestriction.Operation
        switch request.operation {
        case .create: operation = .create
        case .update: operation = .update
        case .delete: operation = .delete
        case .connect: return
        }
        let a = NodeRestriction.Attributes(user: request.user, operation: operation, resource: request.resource,
                                           subresource: request.subresource, namespace: request.namespace, name: request.name,
                                           object: request.object ?? request.oldObject, oldObject: request.oldObject)
        if operation == .create {
            try await NodeRestriction(store: store).admitCreate(a)
        } else {
            try NodeRestriction.admit(a)
        }
    }
}
