/// A Node's pod ranges, as upstream's ValidateNode/ValidateNodeUpdate check them: each a CIDR, and
/// once set never changed (node IPAM assigns them from "" exactly once). A node may update its own
/// Node, so without this it could take another node's range and have the other nodes route it there.
public enum NodeValidator {
    static let changedRange = "node updates may not change podCIDR except from \"\" to valid"

    public static func validate(_ o: JSON, old: JSON?) -> [FieldError] {
        var errs: [FieldError] = []
        let ranges = o[path: ["spec", "podCIDRs"]]?.array ?? []
        for (i, r) in ranges.enumerated() where r.string.flatMap(IPv4CIDR.init) == nil {
            errs.append(.invalid("spec.podCIDRs[\(i)]", r, "must be a valid CIDR"))
        }
        if let single = o[path: ["spec", "podCIDR"]], !(single.string ?? "").isEmpty, ranges.isEmpty, single.string.flatMap(IPv4CIDR.init) == nil {
            errs.append(.invalid("spec.podCIDR", single, "must be a valid CIDR"))
        }
        if let old, let before = old[path: ["spec", "podCIDRs"]]?.array, !before.isEmpty, before != ranges {
            errs.append(.forbidden("spec.podCIDRs", changedRange))
        }
        return errs
    }
}
