import EdgeAPI
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Pod addresses out of the node's range, persisted the way CNI's host-local
/// plugin does: one file per address in use, named by the address and holding
/// the pod's UID, created with O_EXCL. A file exists before the address is
/// ever configured, so an agent killed at any point never hands the address
/// out twice; a file whose pod is gone is reclaimed by `collectGarbage`.
/// Addresses are handed out round-robin after the last one (last_reserved_ip),
/// so a released address is not reused at once.
public final class PodIPAM: Sendable {
    public let range: IPv4CIDR
    public let directory: String
    let lock = Mutex(())

    public struct Exhausted: Error, CustomStringConvertible {
        public let description: String
    }

    /// `directory` is created if missing (one per range: a node given a new range starts afresh).
    public init(range: IPv4CIDR, directory: String) throws {
        self.range = range.canonical
        self.directory = directory
        try PodNetworkFiles.makeDirectories(directory, mode: 0o700)
    }

    /// The gateway (the bridge's address): the first address of the range.
    public var gateway: IPv4Address { range.address(at: 1)! }

    /// Usable pod addresses: past the gateway, before the broadcast address.
    var first: UInt64 { 2 }
    var last: UInt64 { range.size >= 4 ? range.size - 2 : 1 }

    func path(_ ip: IPv4Address) -> String { directory + "/" + ip.description }
    var lastReservedPath: String { directory + "/last_reserved_ip.0" }

    /// The address of pod `uid`: the one it already holds (a retried set-up), or the next free one.
    public func allocate(uid: String) throws -> IPv4Address {
        try lock.withLock { _ in
            let held = reservations()
            if let mine = held.first(where: { $0.value == uid })?.key { return mine }
            let count = last >= first ? last - first + 1 : 0
            let lastReserved = PodNetworkFiles.readString(lastReservedPath).flatMap { IPv4Address(PodNetworkFiles.trim($0)) }
            var offset: UInt64 = first
            if let lr = lastReserved, range.contains(lr) {
                let o = UInt64(lr.value - range.network.value)
                offset = o >= last || o < first ? first : o + 1
            }
            for _ in 0..<count {
                let ip = range.address(at: offset)!
                if held[ip] == nil, try PodNetworkFiles.createExclusive(path(ip), contents: uid) {
                    try? PodNetworkFiles.writeAtomically(lastReservedPath, ip.description)
                    return ip
                }
                offset = offset >= last ? first : offset + 1
            }
            throw Exhausted(description: "no free pod address left in \(range) (\(count) in use)")
        }
    }

    /// Gives back every address pod `uid` holds.
    public func release(uid: String) {
        lock.withLock { _ in
            for (ip, owner) in reservations() where owner == uid { unlink(path(ip)) }
        }
    }

    /// Address -> owner UID, from the files (an empty owner: a reservation cut short by a crash).
    public func reservations() -> [IPv4Address: String] {
        var out: [IPv4Address: String] = [:]
        for name in PodNetworkFiles.list(directory) {
            guard let ip = IPv4Address(name), range.contains(ip) else { continue }
            out[ip] = PodNetworkFiles.trim(PodNetworkFiles.readString(directory + "/" + name) ?? "")
        }
        return out
    }

    /// Releases every address whose owner is not in `live` (pods deleted while the agent was down,
    /// reservations cut short). Returns what it released.
    @discardableResult
    public func collectGarbage(live: Set<String>) -> [IPv4Address] {
        lock.withLock { _ in
            var freed: [IPv4Address] = []
            for (ip, owner) in reservations() where !live.contains(owner) {
                unlink(path(ip))
                freed.append(ip)
            }
            return freed.sorted()
        }
    }
}
