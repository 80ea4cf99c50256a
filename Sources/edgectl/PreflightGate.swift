import EdgeBoards
#if canImport(Glibc)
import Glibc
#endif

/// The preflight checks server and agent run before they start: warnings are printed, errors stop
/// the start unless --ignore-preflight-errors names them (kubeadm's behaviour).
enum PreflightGate {
    /// `runsPods`: a local agent (or an agent) that will run containers; a non-root one runs none.
    static func environment(role: PreflightEnvironment.Role, runsPods: Bool, dataDir: String, tcpPorts: [Int], udpPorts: [Int]) -> PreflightEnvironment {
        let root = HostRoot.fromEnvironment()
        return PreflightEnvironment(root: root, role: role, runsPods: runsPods && geteuid() == 0, dataDir: dataDir,
                                    board: NodeBoard.detect(root).profile, architecture: BuildInfo.arch, tcpPorts: tcpPorts, udpPorts: udpPorts)
    }

    static func run(role: PreflightEnvironment.Role, runsPods: Bool = true, dataDir: String, tcpPorts: [Int], udpPorts: [Int], ignore: String?) throws {
        let report = Preflight.run(environment(role: role, runsPods: runsPods, dataDir: dataDir, tcpPorts: tcpPorts, udpPorts: udpPorts))
        let ignored = PreflightReport.ignoreList(ignore)
        for w in report.warnings { print("preflight: " + w.text) }
        let errors = report.errors(ignoring: ignored)
        for e in report.results where e.status == .error && !errors.contains(e) {
            print("preflight: " + e.text + "\n    (ignored: --ignore-preflight-errors)")
        }
        guard errors.isEmpty else {
            throw PreflightFailure(errors: errors)
        }
    }
}

struct PreflightFailure: Error, CustomStringConvertible {
    var errors: [PreflightResult]
    var description: String {
        "preflight checks failed:\n" + errors.map { "  " + $0.text }.joined(separator: "\n")
            + "\nFix them, or start anyway with --ignore-preflight-errors=\(errors.map(\.name).joined(separator: ","))"
    }
}
