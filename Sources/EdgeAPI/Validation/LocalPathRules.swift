/// Paths a pod names inside a volume: configMap, secret, downwardAPI and
/// projected item paths, subPath and subPathExpr. Upstream's rules and
/// messages (validateLocalDescendingPath, ValidateLocalNonReservedPath): such
/// a path is relative and has no ".." element, so it cannot name a place
/// outside its volume; item paths may not start with ".." either, which keeps
/// them off the writer's own `..data` names. The agent applies the same rules
/// again before it writes or mounts anything (objects stored before these
/// checks existed are not validated again).
public enum LocalPathRules {
    /// Why `path` may not name a place inside a volume, nil when it may (descending: relative, no ".." element).
    public static func descendingProblem(_ path: String) -> String? {
        if path.hasPrefix("/") { return "must be a relative path" }
        if path.split(separator: "/", omittingEmptySubsequences: false).contains("..") { return "must not contain '..'" }
        return nil
    }

    /// As descendingProblem, and not starting with ".." (reserved for the atomic writer's own names).
    public static func nonReservedProblem(_ path: String) -> String? {
        if let problem = descendingProblem(path) { return problem }
        return path.hasPrefix("..") ? "must not start with '..'" : nil
    }

    /// Upstream's validateLocalDescendingPath: an error for an absolute path and one for a ".." element.
    public static func descending(_ field: String, _ path: String) -> [FieldError] {
        var errs: [FieldError] = []
        if path.hasPrefix("/") { errs.append(.invalid(field, .string(path), "must be a relative path")) }
        if path.split(separator: "/", omittingEmptySubsequences: false).contains("..") {
            errs.append(.invalid(field, .string(path), "must not contain '..'"))
        }
        return errs
    }

    /// Upstream's ValidateLocalNonReservedPath: descending, and "must not start with '..'" unless the ".." check said so already.
    public static func nonReserved(_ field: String, _ path: String) -> [FieldError] {
        var errs = descending(field, path)
        if path.hasPrefix("..") && !path.hasPrefix("../") { errs.append(.invalid(field, .string(path), "must not start with '..'")) }
        return errs
    }
}
