import EdgeAPI

/// Which node-sized ranges of the cluster CIDR are taken (upstream's cidrset):
/// a pure value so the rules (never one range twice, round-robin after the last
/// one handed out, release on node deletion) are tested alone.
public struct PodCIDRAllocator: Sendable {
    public struct ConfigError: Error, CustomStringConvertible { public let description: String }

    public let clusterCIDR: IPv4CIDR
    public let nodeMaskLength: Int
    let count: UInt64
    var used: Set<UInt64> = []
    /// Where the next search starts: after the last range handed out, so a
    /// released range is not reused at once (its old routes may still linger).
    var next: UInt64 = 0

    /// Upstream refuses more than 2^16 node ranges; so does this.
    public init(clusterCIDR: IPv4CIDR, nodeMaskLength: Int = 24) throws {
        guard clusterCIDR.isCanonical else {
            throw ConfigError(description: "cluster CIDR \(clusterCIDR) has host bits set: use \(clusterCIDR.canonical)")
        }
        guard nodeMaskLength <= 30, let n = clusterCIDR.subnetCount(length: nodeMaskLength), n >= 1 else {
            throw ConfigError(description: "cluster CIDR \(clusterCIDR) is too small for /\(nodeMaskLength) node ranges: use a prefix of /\(min(nodeMaskLength, 30)) or shorter (e.g. 10.42.0.0/16)")
        }
        guard nodeMaskLength - clusterCIDR.prefixLength <= 16 else {
            throw ConfigError(description: "cluster CIDR \(clusterCIDR) holds more than 65536 /\(nodeMaskLength) node ranges: use a prefix of /\(nodeMaskLength - 16) or longer")
        }
        self.clusterCIDR = clusterCIDR
        self.nodeMaskLength = nodeMaskLength
        count = n
    }

    public var allocatedCount: Int { used.count }

    /// Marks a range a node already has as taken. False when it is not one of this cluster's node ranges.
    @discardableResult
    public mutating func occupy(_ cidr: IPv4CIDR) -> Bool {
        guard cidr.prefixLength == nodeMaskLength, let i = clusterCIDR.subnetIndex(of: cidr) else { return false }
        used.insert(i)
        return true
    }

    public func isTaken(_ cidr: IPv4CIDR) -> Bool {
        guard cidr.prefixLength == nodeMaskLength, let i = clusterCIDR.subnetIndex(of: cidr) else { return false }
        return used.contains(i)
    }

    /// The next free range, now taken; nil when all are.
    public mutating func allocate() -> IPv4CIDR? {
        guard UInt64(used.count) < count else { return nil }
        var i = next % count
        for _ in 0..<count {
            if !used.contains(i) {
                used.insert(i)
                next = (i + 1) % count
                return clusterCIDR.subnet(length: nodeMaskLength, index: i)
            }
            i = (i + 1) % count
        }
        return nil
    }

    public mutating func release(_ cidr: IPv4CIDR) {
        guard cidr.prefixLength == nodeMaskLength, let i = clusterCIDR.subnetIndex(of: cidr) else { return }
        used.remove(i)
    }
}
