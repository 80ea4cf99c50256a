/// The host's iptables in the flavour it uses: whole-table saves and
/// restore transactions, nothing rule-by-rule.
public struct IPTablesClient: Sendable {
    public let runner: any CommandRunning
    public let flavour: IPTablesFlavour

    public init(runner: any CommandRunning, flavour: IPTablesFlavour) {
        self.runner = runner
        self.flavour = flavour
    }

    /// Detects the flavour the host uses (see IPTablesFlavour.decide).
    public static func detect(runner: any CommandRunning = CommandRunner()) -> IPTablesClient {
        IPTablesClient(runner: runner, flavour: IPTablesFlavour.detect(runner))
    }

    public func save(table: String) throws -> SavedTable {
        guard let r = runner.run([flavour.save, "-t", table], input: "") else {
            throw IPTablesError("cannot run \(flavour.save): is iptables installed?")
        }
        guard r.status == 0 else { throw IPTablesError("\(flavour.save) -t \(table) failed (\(r.status)): \(r.stderr.trimmingNewlines)") }
        return SavedTable.parse(r.stdout, table: table)
    }

    /// The rules of one chain (arguments after `-A CHAIN`), nil when it does not exist.
    /// Cheap even beside a large table: iptables-nft fetches only that chain.
    public func list(table: String, chain: String) throws -> [String]? {
        guard let r = runner.run([flavour.iptables, "-w", "5", "-t", table, "-S", chain], input: "") else {
            throw IPTablesError("cannot run \(flavour.iptables): is iptables installed?")
        }
        guard r.status == 0 else { return nil }
        let prefix = "-A \(chain) "
        return r.stdout.split(separator: "\n").filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
    }

    /// One transaction: every table in `input` is committed whole or not at all,
    /// and chains it does not name stay as they are (--noflush).
    public func restore(_ input: String) throws {
        guard let r = runner.run([flavour.restore, "-w", "5", "--noflush"], input: input) else {
            throw IPTablesError("cannot run \(flavour.restore): is iptables installed?")
        }
        guard r.status == 0 else {
            throw IPTablesError("\(flavour.restore) --noflush failed (\(r.status)): \(r.stderr.trimmingNewlines)")
        }
    }
}
