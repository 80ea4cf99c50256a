import EdgeAPI
import EdgeClient

/// Deletes join-token Secrets once they expire (upstream's tokencleaner), and
/// wakes itself at the next expiry.
public struct BootstrapTokenCleaner: Controller {
    public let name = "tokencleaner"
    static let secrets = BuiltinResources.secrets
    /// Only join tokens are read, so only they are cached (upstream's tokencleaner filters the same way).
    static let tokenSelector = "type=" + BootstrapToken.secretType

    static func tokens(_ ctx: ControllerContext) -> Informer {
        ctx.informers.informer(secrets, namespace: BootstrapToken.namespace, fieldSelector: tokenSelector)
    }

    public init() {}

    public func register(_ ctx: ControllerContext, _ queue: WorkQueue) {
        Self.tokens(ctx).addHandler(.any { s in
            if s["type"]?.string == BootstrapToken.secretType { queue.add(Informer.key(s)) }
        })
    }

    public func reconcile(_ key: String, _ ctx: ControllerContext) async throws {
        guard let secret = Self.tokens(ctx).get(key), secret["type"]?.string == BootstrapToken.secretType,
              let exp = BootstrapToken.expiration(secret) else { return }
        let left = exp.seconds - ctx.clock.now().seconds
        if left > 0 { throw RequeueAfter(.seconds(left)) }
        let (ns, name) = Informer.split(key)
        do { _ = try await ctx.client.delete(Self.secrets, namespace: ns, name: name) } catch let e as APIError where e.code == 404 {}
    }
}
