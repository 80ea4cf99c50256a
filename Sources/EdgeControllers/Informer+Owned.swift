import EdgeAPI
import EdgeClient

extension Informer {
    /// Objects in `namespace` whose controlling owner has `uid`, from the controllerUID index.
    /// The namespace is checked too: an owner reference names an owner in the object's own
    /// namespace, and an object elsewhere quoting this uid is not its dependent.
    func owned(by uid: String, namespace: String) -> [JSON] {
        byIndex(.controllerUID, uid).filter { ($0[path: ["metadata", "namespace"]]?.string ?? "") == namespace }
    }
}

extension InformerIndex {
    /// The namespace of objects that have no controlling owner: the orphans a
    /// controller may adopt, found without looking at every owned object.
    static let orphanNamespace = InformerIndex(name: "orphanNamespace") { o in
        PodHelpers.controllerRef(o) == nil ? [o[path: ["metadata", "namespace"]]?.string ?? ""] : []
    }
}
