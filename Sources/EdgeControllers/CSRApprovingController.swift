import EdgeAPI
import EdgeClient

/// Approves node client certificate requests as upstream's csrapproving
/// controller does for the kubelet, by NodeClientCSRRule: a bootstrapper asking
/// for a fresh node identity, or a node renewing its own. A bootstrapper asking
/// for the name of a node that already exists is denied: one machine cannot
/// take over another's name (delete the Node first when a machine is replaced).
public struct CSRApprovingController: Controller {
    public let name = "csrapproving"
    static let csrs = BuiltinResources.certificateSigningRequests
    static let nodes = BuiltinResources.nodes
    static let nodeClientSigner = "kubernetes.io/kube-apiserver-client-kubelet"
    let ca: any CertificateAuthority

    public init(ca: any CertificateAuthority) { self.ca = ca }

    public func register(_ ctx: ControllerContext, _ queue: WorkQueue) {
        ctx.informers.informer(Self.csrs).addHandler(.any { queue.add(Informer.key($0)) })
        _ = ctx.informers.informer(Self.nodes)
    }

    static func decided(_ csr: JSON) -> Bool {
        (csr[path: ["status", "conditions"]]?.array ?? []).contains { ["Approved", "Denied", "Failed"].contains($0["type"]?.string ?? "") }
    }

    public func reconcile(_ key: String, _ ctx: ControllerContext) async throws {
        guard let csr = ctx.informers.informer(Self.csrs).get(key), !Self.decided(csr),
              csr[path: ["spec", "signerName"]]?.string == Self.nodeClientSigner,
              let pem = csr[path: ["spec", "request"]]?.string.flatMap(Base64.decode).map({ String(decoding: $0, as: UTF8.self) }),
              let subject = try? ca.requestSubject(pem) else { return }
        let nodes = ctx.informers.informer(Self.nodes)
        let decision = NodeClientCSRRule.decide(commonName: subject.commonName, organizations: subject.organizations,
                                                usages: csr[path: ["spec", "usages"]]?.array?.compactMap(\.string) ?? [],
                                                username: csr[path: ["spec", "username"]]?.string ?? "",
                                                groups: csr[path: ["spec", "groups"]]?.array?.compactMap(\.string) ?? [],
                                                nodeExists: { nodes.get($0) != nil })
        switch decision {
        case .approveRenewal:
            try await decide(csr, "Approved", "AutoApproved", "Auto approving self kubelet client certificate after SubjectAccessReview.", ctx)
        case .approveJoin:
            try await decide(csr, "Approved", "AutoApproved", "Auto approving kubelet client certificate after SubjectAccessReview.", ctx)
        case .denyNodeExists(let node):
            try await decide(csr, "Denied", "NodeExists",
                             "node \"\(node)\" already exists; a joining machine may not take over its name (kubectl delete node \(node) if this machine replaces it)", ctx)
        case .leaveForAdmin:
            return
        }
    }

    func decide(_ csr: JSON, _ type: String, _ reason: String, _ message: String, _ ctx: ControllerContext) async throws {
        var u = csr
        let now = Timestamp.now().rfc3339
        var conditions = csr[path: ["status", "conditions"]]?.array ?? []
        conditions.append(["type": .string(type), "status": "True", "reason": .string(reason), "message": .string(message),
                           "lastUpdateTime": .string(now), "lastTransitionTime": .string(now)])
        u[path: ["status", "conditions"]] = .array(conditions)
        _ = try await ctx.client.update(Self.csrs, u, subresource: "approval")
    }
}
