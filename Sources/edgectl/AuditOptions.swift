import EdgeCommandLine
import EdgeAPIServer
import EdgeAuth
import Logging

/// kube-apiserver's audit log flags, with its names and defaults: a policy file
/// and a log path (both needed for any event to be written), and lumberjack's
/// rotation limits.
struct AuditOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Audit policy (audit.k8s.io/v1 Policy, YAML or JSON): the level each request is logged at.", valueName: "file"))
    var auditPolicyFile: String?

    @Option(help: ArgumentHelp("Audit log file, one JSON event per line (0600); - for standard output.", valueName: "path"))
    var auditLogPath: String?

    @Option(help: "Days an old (rotated) audit log file is kept; 0: no age limit.")
    var auditLogMaxage: Int64 = 0

    @Option(help: "Old audit log files kept; 0: all.")
    var auditLogMaxbackup: Int64 = 0

    @Option(help: "Megabytes of audit log before it is rotated; 0: 100.")
    var auditLogMaxsize: Int64 = 0

    func validate() throws {
        for (flag, v) in [("--audit-log-maxage", auditLogMaxage), ("--audit-log-maxbackup", auditLogMaxbackup), ("--audit-log-maxsize", auditLogMaxsize)] where v < 0 {
            throw ValidationError("\(flag) must be 0 or more, got \(v)")
        }
    }

    /// The auditor these flags ask for; nil (with a note in the log, as upstream) unless both a policy and a path are given.
    func auditor(log: Logger) throws -> Auditor? {
        guard let auditLogPath, !auditLogPath.isEmpty else {
            if auditPolicyFile != nil { log.warning("--audit-policy-file is set but --audit-log-path is not: no audit events are written") }
            return nil
        }
        guard let auditPolicyFile, !auditPolicyFile.isEmpty else {
            log.warning("No audit policy file provided, no events will be recorded for log backend")
            return nil
        }
        let text: String
        do {
            text = try FileSystem.read(auditPolicyFile)
        } catch {
            throw ValidationError("failed to read file path \"\(auditPolicyFile)\": \(error)")
        }
        let policy: AuditPolicy
        do {
            policy = try AuditPolicyReader.load(text)
        } catch {
            throw ValidationError("\(error.message): from file \(auditPolicyFile)")
        }
        let sink = try AuditLogFile(.init(path: auditLogPath, maxAgeDays: auditLogMaxage, maxBackups: auditLogMaxbackup, maxSizeMB: auditLogMaxsize))
        log.info("audit log: \(policy.rules.count) policy rules from \(auditPolicyFile), events to \(auditLogPath)")
        return Auditor(policy: policy, sink: sink)
    }
}
