import EdgeAPI
import EdgeClient

/// Signs approved certificate requests for the built-in client signers with
/// the cluster CA and writes status.certificate; a request it cannot sign
/// gets condition Failed with the reason.
public struct CSRSigningController: Controller {
    public let name = "csrsigning"
    static let csrs = CSRApprovingController.csrs
    static let signers: [String: String] = [
        "kubernetes.io/kube-apiserver-client-kubelet": "client auth",
        "kubernetes.io/kube-apiserver-client": "client auth",
    ]
    static let nodeClientSigner = CSRApprovingController.nodeClientSigner
    /// Upstream's default --cluster-signing-duration: one year.
    public static let defaultSeconds: Int64 = 365 * 86400
    let ca: any CertificateAuthority
    /// Longest lifetime of node client certificates (kubelet-client signer);
    /// `edgectl server --node-cert-lifetime` shortens it, for tests of rotation.
    let nodeClientSeconds: Int64

    public init(ca: any CertificateAuthority, nodeClientSeconds: Int64 = defaultSeconds) {
        self.ca = ca
        self.nodeClientSeconds = nodeClientSeconds
    }

    public func register(_ ctx: ControllerContext, _ queue: WorkQueue) {
        ctx.informers.informer(Self.csrs).addHandler(.any { queue.add(Informer.key($0)) })
    }

    public func reconcile(_ key: String, _ ctx: ControllerContext) async throws {
        guard let csr = ctx.informers.informer(Self.csrs).get(key), csr[path: ["status", "certificate"]] == nil else { return }
        let conditions = csr[path: ["status", "conditions"]]?.array ?? []
        func has(_ t: String) -> Bool { conditions.contains { $0["type"]?.string == t && $0["status"]?.string != "False" } }
        guard has("Approved"), !has("Denied"), !has("Failed"),
              let signer = csr[path: ["spec", "signerName"]]?.string, let required = Self.signers[signer] else { return }
        let usages = csr[path: ["spec", "usages"]]?.array?.compactMap(\.string) ?? []
        var u = csr
        do {
            guard usages.contains(required), !usages.contains("server auth") else {
                throw SigningRefused("signer \(signer) only issues \(required) certificates; usages were \(usages)")
            }
            guard let pem = csr[path: ["spec", "request"]]?.string.flatMap(Base64.decode).map({ String(decoding: $0, as: UTF8.self) }) else {
                throw SigningRefused("spec.request is not base64-encoded PEM")
            }
            let limit = signer == Self.nodeClientSigner ? nodeClientSeconds : Self.defaultSeconds
            let seconds = min(limit, csr[path: ["spec", "expirationSeconds"]]?.int ?? limit)
            let cert = try ca.sign(requestPEM: pem, usages: usages, seconds: seconds)
            u[path: ["status", "certificate"]] = .string(Base64.encode(cert))
        } catch {
            let now = Timestamp.now().rfc3339
            u[path: ["status", "conditions"]] = .array(conditions + [["type": "Failed", "status": "True", "reason": "SignerValidationFailure",
                                                                       "message": .string("\(error)"), "lastUpdateTime": .string(now),
                                                                       "lastTransitionTime": .string(now)]])
        }
        _ = try await ctx.client.updateStatus(Self.csrs, u)
    }

    struct SigningRefused: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }
}
