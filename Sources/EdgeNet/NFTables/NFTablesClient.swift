import EdgeAPI

/// The host's nftables through the `nft` tool (Debian's nftables package):
/// whole transactions on stdin (`nft -f -`, all or nothing) and JSON listings
/// of one table. Only the table named here is ever read, changed or deleted.
public struct NFTablesClient: Sendable {
    public let runner: any CommandRunning
    /// The table's family and name (`ip edgectl-proxy`).
    public let family: String
    public let table: String

    public init(runner: any CommandRunning = CommandRunner(), family: String = "ip", table: String) {
        self.runner = runner
        self.family = family
        self.table = table
    }

    /// One transaction: every command in `script` is committed together or not at all.
    public func apply(_ script: String) throws {
        guard let r = runner.run(["nft", "-f", "-"], input: script) else {
            throw NFTablesError("cannot run nft: is nftables installed?")
        }
        guard r.status == 0 else {
            // nft echoes the failing line; the first few lines say enough.
            let why = r.stderr.split(separator: "\n").prefix(6).joined(separator: "\n")
            throw NFTablesError("nft -f failed (\(r.status)): \(why)")
        }
    }

    /// Whether the table exists (`nft list tables` is cheap: no chains or rules fetched).
    public func exists() throws -> Bool {
        guard let r = runner.run(["nft", "list", "tables", family], input: "") else {
            throw NFTablesError("cannot run nft: is nftables installed?")
        }
        guard r.status == 0 else { throw NFTablesError("nft list tables failed (\(r.status)): \(r.stderr.trimmingNewlines)") }
        return r.stdout.split(separator: "\n").contains { $0 == "table \(family) \(table)" }
    }

    /// The kernel's copy of the table, nil when it does not exist.
    public func list() throws -> NFTablesListing? {
        guard try exists() else { return nil }
        guard let r = runner.run(["nft", "-j", "list", "table", family, table], input: "") else {
            throw NFTablesError("cannot run nft: is nftables installed?")
        }
        guard r.status == 0 else { throw NFTablesError("nft -j list table \(family) \(table) failed (\(r.status)): \(r.stderr.trimmingNewlines)") }
        guard let listing = NFTablesListing.parse(r.stdout) else { throw NFTablesError("nft -j list table printed no JSON nft understands") }
        return listing
    }

    /// Deletes the table and everything in it; true when there was one.
    @discardableResult
    public func delete() throws -> Bool {
        guard try exists() else { return false }
        try apply("delete table \(family) \(table)\n")
        return true
    }
}
