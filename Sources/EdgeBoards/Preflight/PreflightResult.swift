/// One preflight check's outcome. `name` is what --ignore-preflight-errors takes (kubeadm's style:
/// Swap, Port-6443, CgroupMemory ...); every warning and error says how to fix it.
public struct PreflightResult: Sendable, Equatable {
    public enum Status: String, Sendable { case passed = "ok", warning = "warning", error = "error" }

    public var name: String
    public var status: Status
    public var message: String
    public var fix: String?

    public init(_ name: String, _ status: Status, _ message: String, fix: String? = nil) {
        self.name = name
        self.status = status
        self.message = message
        self.fix = fix
    }

    public static func ok(_ name: String, _ message: String) -> PreflightResult { PreflightResult(name, .passed, message) }
    public static func warning(_ name: String, _ message: String, fix: String) -> PreflightResult { PreflightResult(name, .warning, message, fix: fix) }
    public static func error(_ name: String, _ message: String, fix: String) -> PreflightResult { PreflightResult(name, .error, message, fix: fix) }

    /// `[error CgroupMemory]: ... \n    fix: ...`, as printed.
    public var text: String {
        let head = status == .passed ? "[ok] \(name): \(message)" : "[\(status.rawValue) \(name)]: \(message)"
        return fix.map { head + "\n    fix: " + $0 } ?? head
    }
}

/// All checks of one run, and which errors stop a start.
public struct PreflightReport: Sendable {
    public var results: [PreflightResult]

    public init(results: [PreflightResult]) { self.results = results }

    /// Errors not named in `ignored` (names compared without case; `all` ignores every error, as kubeadm).
    public func errors(ignoring ignored: Set<String>) -> [PreflightResult] {
        let lower = Set(ignored.map { $0.lowercased() })
        if lower.contains("all") { return [] }
        return results.filter { $0.status == .error && !lower.contains($0.name.lowercased()) }
    }

    public var warnings: [PreflightResult] { results.filter { $0.status == .warning } }

    /// `--ignore-preflight-errors=A,B` as a set.
    public static func ignoreList(_ text: String?) -> Set<String> {
        Set((text ?? "").split(separator: ",").map { String($0).trimmingSpaces }.filter { !$0.isEmpty })
    }
}
