/// Keys that a JSON document repeats inside one object, named by their path
/// as upstream's strict decoding names them (`spec.paused`,
/// `spec.template.spec.containers[0].imagePullPolicy`), in document order.
public struct DuplicateKeys: Sendable, Equatable {
    /// Each repeated path once, at the position of its first repeat.
    public var paths: [String] = []
    /// Document position (counted in keys) of each entry of `paths`.
    public var ordinals: [Int] = []
    /// Document position of the first occurrence of every key path; filled only
    /// when something repeats, to merge these with unknown fields in document order.
    public var firstOccurrence: [String: Int] = [:]

    public init() {}

    public var isEmpty: Bool { paths.isEmpty }
}
