import EdgeAPI

/// An audit.k8s.io/v1 Policy (`--audit-policy-file`): rules tried in order,
/// the first match giving a request's level; no match is level None. Stages
/// the policy omits are omitted by every rule.
public struct AuditPolicy: Sendable, Equatable {
    public var rules: [AuditPolicyRule]
    public var omitStages: Set<AuditStage>
    public var omitManagedFields: Bool

    public init(rules: [AuditPolicyRule], omitStages: Set<AuditStage> = [], omitManagedFields: Bool = false) {
        self.rules = rules
        self.omitStages = omitStages
        self.omitManagedFields = omitManagedFields
    }

    public func evaluate(_ a: AuditAttributes) -> AuditRequestConfig {
        for rule in rules where rule.matches(a) {
            return AuditRequestConfig(level: rule.level, omitStages: omitStages.union(rule.omitStages),
                                      omitManagedFields: rule.omitManagedFields ?? omitManagedFields)
        }
        return AuditRequestConfig(level: .none, omitStages: omitStages, omitManagedFields: omitManagedFields)
    }
}
