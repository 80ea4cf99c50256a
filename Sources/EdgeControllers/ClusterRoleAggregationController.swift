import EdgeAPI
import EdgeClient

/// Upstream's clusterrole-aggregation controller: a ClusterRole with an
/// aggregationRule gets, as its rules, the rules of every other ClusterRole
/// one of its selectors matches (in name order, each rule once), so a
/// ClusterRole labelled `rbac.authorization.k8s.io/aggregate-to-view: "true"`
/// shows up in `view` (and, through `view`'s own labels, in edit and admin).
public struct ClusterRoleAggregationController: Controller {
    public let name = "clusterrole-aggregation"
    static let clusterRoles = BuiltinResources.clusterRoles

    public init() {}

    public func register(_ ctx: ControllerContext, _ queue: WorkQueue) {
        let informer = ctx.informers.informer(Self.clusterRoles)
        // Any ClusterRole change may change any aggregated role: enqueue them all, as upstream does.
        let enqueueAggregated: @Sendable () -> Void = {
            for role in informer.list(where: { Self.isAggregated($0) }) { queue.add(Informer.key(role)) }
        }
        informer.addHandler(Informer.Handler(added: { _ in enqueueAggregated() }, updated: { _, _ in enqueueAggregated() },
                                             deleted: { _ in enqueueAggregated() }))
    }

    static func isAggregated(_ role: JSON) -> Bool {
        !(role[path: ["aggregationRule", "clusterRoleSelectors"]]?.array ?? []).isEmpty
    }

    public func reconcile(_ key: String, _ ctx: ControllerContext) async throws {
        let informer = ctx.informers.informer(Self.clusterRoles)
        guard let role = informer.get(key), Self.isAggregated(role) else { return }
        let rules = Self.aggregatedRules(for: role, from: informer.list())
        if role["rules"] ?? .array([]) == .array(rules) { return }
        var updated = role
        updated["rules"] = .array(rules)
        _ = try await ctx.client.update(Self.clusterRoles, updated)
    }

    /// The rules of every other ClusterRole a selector matches, in name order, each rule once.
    static func aggregatedRules(for role: JSON, from all: [JSON]) -> [JSON] {
        let selectors = role[path: ["aggregationRule", "clusterRoleSelectors"]]?.array ?? []
        let me = role[path: ["metadata", "name"]]?.string
        let sources = all.filter { other in
            let labels = other[path: ["metadata", "labels"]]?.object ?? JSONObject()
            return other[path: ["metadata", "name"]]?.string != me && selectors.contains { LabelSelectorMatcher.matches($0, labels) }
        }.sorted { ($0[path: ["metadata", "name"]]?.string ?? "") < ($1[path: ["metadata", "name"]]?.string ?? "") }
        var rules: [JSON] = []
        for source in sources {
            for rule in source["rules"]?.array ?? [] where !rules.contains(rule) { rules.append(rule) }
        }
        return rules
    }
}
