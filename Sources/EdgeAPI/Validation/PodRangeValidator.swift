/// The numeric ranges upstream validates in a pod spec where the node turns
/// numbers into system values: user and group ids (0...2147483647, they become
/// uid_t/gid_t) and activeDeadlineSeconds (1...2147483647, it becomes a timer).
enum PodRangeValidator {
    static let maxID: Int64 = 2_147_483_647

    static func spec(_ spec: JSON, path: String) -> [FieldError] {
        var errs: [FieldError] = []
        if let d = spec["activeDeadlineSeconds"]?.int, d < 1 || d > maxID {
            errs.append(.invalid(path + ".activeDeadlineSeconds", .int(d), "must be between 1 and 2147483647, inclusive"))
        }
        if let sc = spec["securityContext"] {
            errs += ids(sc, path: path + ".securityContext", fields: ["runAsUser", "runAsGroup", "fsGroup"])
            for (i, g) in (sc["supplementalGroups"]?.array ?? []).enumerated() {
                if let n = g.int, n < 0 || n > maxID { errs.append(.invalid("\(path).securityContext.supplementalGroups[\(i)]", .int(n), idMessage)) }
            }
        }
        for field in ["initContainers", "containers"] {
            for (i, c) in (spec[field]?.array ?? []).enumerated() {
                if let sc = c["securityContext"] {
                    errs += ids(sc, path: "\(path).\(field)[\(i)].securityContext", fields: ["runAsUser", "runAsGroup"])
                }
            }
        }
        return errs
    }

    static let idMessage = "must be between 0 and 2147483647, inclusive"

    static func ids(_ sc: JSON, path: String, fields: [String]) -> [FieldError] {
        fields.compactMap { f in
            guard let n = sc[f]?.int, n < 0 || n > maxID else { return nil }
            return .invalid("\(path).\(f)", .int(n), idMessage)
        }
    }
}
