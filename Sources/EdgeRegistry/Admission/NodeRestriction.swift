import EdgeAPI

/// Upstream's NodeRestriction admission, one step for every write a node
/// makes: the Node authorizer lets a node write nodes, pods, leases and tokens
/// at all; this narrows each write to the node's own objects: its Node (with
/// only the labels a kubelet may set, and not its taints), its Lease, the
/// status and deletion of pods bound to it, mirror pods of itself, and tokens
/// bound to pods bound to it. Other users pass untouched. Refusals are 403s
/// worded as upstream's ("pods \"web\" is forbidden: node \"pi-1\" can only
/// update pod status for pods with spec.nodeName set to itself").
struct NodeRestriction: Sendable {
    let store: ObjectStore

    static let pods = BuiltinResources.pods
    static let nodes = BuiltinResources.nodes
    static let mirrorPodAnnotation = "kubernetes.io/config.mirror"

    enum Operation: String {
        case create = "CREATE", update = "UPDATE", delete = "DELETE"
    }

    struct Attributes {
        var user: UserInfo
        var operation: Operation
        var resource: ResourceInfo
        var subresource: String?
        var namespace: String?
        /// The name in the URL; on create, the object's name (or generateName).
        var name: String
        /// The object written (create, update), as the request sent it or as merged.
        var object: JSON?
        /// The stored object (update, delete).
        var oldObject: JSON?
    }

    /// A create: may read the store (the pod a token or an eviction names, the Node a mirror pod belongs to).
    func admitCreate(_ a: Attributes) async throws {
        guard let node = try Self.node(a) else { return }
        switch (a.resource.group, a.resource.plural, a.subresource) {
        case ("", "pods", nil):
            try await admitMirrorPod(node, a)
        case ("", "pods", "eviction"):
            try await admitEviction(node, a)
        case ("", "serviceaccounts", "token"):
            try await admitTokenRequest(node, a)
        default:
            try Self.admit(a)
        }
    }

    /// An update or a delete, judged on the stored object and the merged one, inside the store's
    /// compare-and-swap so the object judged is the object written.
    static func admit(_ a: Attributes) throws {
        guard let node = try node(a) else { return }
        switch (a.resource.group, a.resource.plural) {
        case ("", "pods"): try admitPod(node, a)
        case ("", "nodes"): try admitNode(node, a)
        case ("coordination.k8s.io", "leases"): try admitLease(node, a)
        default: return
        }
    }

    /// The requesting node's name, nil when the caller is not a node.
    static func node(_ a: Attributes) throws -> String? {
        guard let node = NodeIdentity.nodeName(of: a.user) else { return nil }
        if node.isEmpty { throw forbidden(a, "could not determine node from user \"\(a.user.name)\"") }
        return node
    }

    static func forbidden(_ a: Attributes, _ why: String) -> APIError {
        let name = a.name.isEmpty ? "Unknown" : a.name
        return APIError.forbidden("\(a.resource.qualifiedName) \"\(name)\" is forbidden: \(why)", a.resource, name)
    }

    // MARK: pods

    static func admitPod(_ node: String, _ a: Attributes) throws {
        switch (a.subresource, a.operation) {
        case (nil, .delete):
            if a.oldObject?[path: ["spec", "nodeName"]]?.string != node {
                throw forbidden(a, "node \"\(node)\" can only delete pods with spec.nodeName set to itself")
            }
        case (nil, _):
            throw forbidden(a, "unexpected operation \"\(a.operation.rawValue)\", node \"\(node)\" can only create and delete mirror pods")
        case ("status", .update):
            guard let old = a.oldObject, let new = a.object else { throw forbidden(a, "unexpected operation \"UPDATE\"") }
            if old[path: ["spec", "nodeName"]]?.string != node {
                throw forbidden(a, "node \"\(node)\" can only update pod status for pods with spec.nodeName set to itself")
            }
            if !sameMap(old[path: ["metadata", "labels"]], new[path: ["metadata", "labels"]]) {
                throw forbidden(a, "node \"\(node)\" cannot update labels through pod status")
            }
            if !sameClaimStatuses(old[path: ["status", "resourceClaimStatuses"]], new[path: ["status", "resourceClaimStatuses"]]) {
                throw forbidden(a, "node \"\(node)\" cannot update resource claim statues")
            }
        case ("status", _), ("eviction", _):
            throw forbidden(a, "unexpected operation \"\(a.operation.rawValue)\"")
        case (let sub?, _):
            throw forbidden(a, "unexpected pod subresource \"\(sub)\", only 'status' and 'eviction' are allowed")
        }
    }

    /// A node may create only the mirror pod of one of its static pods: bound to
    /// itself, owned by its Node, and referring to nothing it could not read.
    func admitMirrorPod(_ node: String, _ a: Attributes) async throws {
        let pod = a.object ?? [:]
        guard pod[path: ["metadata", "annotations", Self.mirrorPodAnnotation]] != nil else {
            throw Self.forbidden(a, "pod does not have \"\(Self.mirrorPodAnnotation)\" annotation, node \"\(node)\" can only create mirror pods")
        }
        if pod[path: ["spec", "nodeName"]]?.string != node {
            throw Self.forbidden(a, "node \"\(node)\" can only create pods with spec.nodeName set to itself")
        }
        let owners = pod[path: ["metadata", "ownerReferences"]]?.array ?? []
        if owners.count > 1 { throw Self.forbidden(a, "node \"\(node)\" can only create pods with a single owner reference set to itself") }
        guard let owner = owners.first, owner["apiVersion"]?.string == "v1", owner["kind"]?.string == "Node",
              owner["name"]?.string == node else {
            throw Self.forbidden(a, "node \"\(node)\" can only create pods with an owner reference set to itself")
        }
        if owner["controller"]?.bool != true {
            throw Self.forbidden(a, "node \"\(node)\" can only create pods with a controller owner reference set to itself")
        }
        if owner["blockOwnerDeletion"]?.bool == true {
            throw Self.forbidden(a, "node \"\(node)\" must not set blockOwnerDeletion on an owner reference")
        }
        let nodeUID = try await store.get(Self.nodes, namespace: nil, name: node)[path: ["metadata", "uid"]]?.string ?? ""
        let ownerUID = owner["uid"]?.string ?? ""
        if ownerUID != nodeUID { throw Self.forbidden(a, "node \(node) UID mismatch: expected \(ownerUID) got \(nodeUID)") }
        if !(pod[path: ["spec", "serviceAccountName"]]?.string ?? "").isEmpty || !(pod[path: ["spec", "serviceAccount"]]?.string ?? "").isEmpty {
            throw Self.forbidden(a, "node \"\(node)\" can not create pods that reference a service account")
        }
        if !PodReferences.secrets(of: pod).isEmpty { throw Self.forbidden(a, "node \"\(node)\" can not create pods that reference secrets") }
        if !PodReferences.configMaps(of: pod).isEmpty { throw Self.forbidden(a, "node \"\(node)\" can not create pods that reference configmaps") }
        let volumes = pod[path: ["spec", "volumes"]]?.array ?? []
        if volumes.contains(where: { v in (v[path: ["projected", "sources"]]?.array ?? []).contains { $0["clusterTrustBundle"] != nil } }) {
            throw Self.forbidden(a, "node \"\(node)\" can not create pods that reference clustertrustbundles")
        }
        if volumes.contains(where: { $0["persistentVolumeClaim"] != nil }) {
            throw Self.forbidden(a, "node \"\(node)\" can not create pods that reference persistentvolumeclaims")
        }
    }

    func admitEviction(_ node: String, _ a: Attributes) async throws {
        var name = a.name
        if name.isEmpty { name = a.object?[path: ["metadata", "name"]]?.string ?? "" }
        if name.isEmpty { throw Self.forbidden(a, "could not determine pod from request data") }
        let pod = try await store.get(Self.pods, namespace: a.namespace, name: name)
        if pod[path: ["spec", "nodeName"]]?.string != node {
            throw Self.forbidden(a, "node \(node) can only evict pods with spec.nodeName set to itself")
        }
    }

    // MARK: service account tokens

    /// A node's TokenRequest must be bound to a pod bound to the node (by name and uid), so a stolen
    /// board cannot mint tokens for accounts its pods do not run as, nor outliving their pods.
    func admitTokenRequest(_ node: String, _ a: Attributes) async throws {
        let ref = a.object?[path: ["spec", "boundObjectRef"]]
        let podName = ref?["name"]?.string ?? ""
        guard ref?["apiVersion"]?.string == "v1", ref?["kind"]?.string == "Pod", !podName.isEmpty else {
            throw Self.forbidden(a, "node requested token not bound to a pod")
        }
        let uid = ref?["uid"]?.string ?? ""
        if uid.isEmpty { throw Self.forbidden(a, "node requested token with a pod binding without a uid") }
        let pod = try await store.get(Self.pods, namespace: a.namespace, name: podName)
        if pod[path: ["metadata", "uid"]]?.string != uid {
            throw Self.forbidden(a, "the UID in the bound object reference (\(uid)) does not match the UID in record. The object might have been deleted and then recreated")
        }
        if pod[path: ["spec", "nodeName"]]?.string != node {
            throw Self.forbidden(a, "node requested token bound to a pod scheduled on a different node")
        }
    }

    // MARK: leases

    static func admitLease(_ node: String, _ a: Attributes) throws {
        if a.namespace != "kube-node-lease" { throw forbidden(a, "can only access leases in the \"kube-node-lease\" system namespace") }
        let name = a.operation == .create ? a.object?[path: ["metadata", "name"]]?.string : a.name
        if name != node { throw forbidden(a, "can only access node lease with the same name as the requesting node") }
    }

    // MARK: nodes

    static func admitNode(_ node: String, _ a: Attributes) throws {
        if a.name != node { throw forbidden(a, "node \"\(node)\" is not allowed to modify node \"\(a.name)\"") }
        let new = a.object ?? [:]
        switch a.operation {
        case .create:
            if let source = new[path: ["spec", "configSource"]], !source.isNull {
                throw forbidden(a, "node \"\(node)\" is not allowed to create pods with a non-nil configSource")
            }
            let refused = NodeLabelPolicy.forbidden(NodeLabelPolicy.modified(new[path: ["metadata", "labels"]], nil))
            if !refused.isEmpty {
                throw forbidden(a, "node \"\(node)\" is not allowed to set the following labels: \(refused.joined(separator: ", "))")
            }
        case .update:
            let old = a.oldObject ?? [:]
            if let source = new[path: ["spec", "configSource"]], !source.isNull, source != old[path: ["spec", "configSource"]] {
                throw forbidden(a, "node \"\(node)\" is not allowed to update configSource to a new non-nil configSource")
            }
            // Removing a taint would steer pods that do not tolerate it onto the node.
            if !sameList(new[path: ["spec", "taints"]], old[path: ["spec", "taints"]]) {
                throw forbidden(a, "node \"\(node)\" is not allowed to modify taints")
            }
            let refused = NodeLabelPolicy.forbidden(NodeLabelPolicy.modified(new[path: ["metadata", "labels"]], old[path: ["metadata", "labels"]]))
            if !refused.isEmpty { throw forbidden(a, "is not allowed to modify labels: \(refused.joined(separator: ", "))") }
        case .delete:
            return
        }
    }

    // MARK: comparisons (absent, null and empty are the same, as upstream's semantic equality)

    static func sameMap(_ a: JSON?, _ b: JSON?) -> Bool {
        (a?.object ?? JSONObject()) == (b?.object ?? JSONObject())
    }

    static func sameList(_ a: JSON?, _ b: JSON?) -> Bool {
        (a?.array ?? []) == (b?.array ?? [])
    }

    /// Resource claim statuses by name and claim name, in order.
    static func sameClaimStatuses(_ a: JSON?, _ b: JSON?) -> Bool {
        func key(_ s: JSON) -> [String?] { [s["name"]?.string, s["resourceClaimName"]?.string] }
        return (a?.array ?? []).map(key) == (b?.array ?? []).map(key)
    }
}
