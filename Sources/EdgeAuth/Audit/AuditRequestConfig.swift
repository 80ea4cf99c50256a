/// What the audit policy decided for one request: its level, the stages not to
/// write, and whether managedFields are dropped from logged bodies.
public struct AuditRequestConfig: Sendable, Equatable {
    public var level: AuditLevel
    public var omitStages: Set<AuditStage>
    public var omitManagedFields: Bool

    public init(level: AuditLevel, omitStages: Set<AuditStage> = [], omitManagedFields: Bool = false) {
        self.level = level
        self.omitStages = omitStages
        self.omitManagedFields = omitManagedFields
    }

    public static let none = AuditRequestConfig(level: .none)
}
