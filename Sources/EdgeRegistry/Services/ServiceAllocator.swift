import EdgeAPI
import EdgeStore
import Synchronization

/// Hands out ClusterIPs from the service CIDR and NodePorts from their range.
/// Allocations are derived from the stored Services (read on first use), so
/// they survive restarts without a second source of truth; on a store other
/// API servers write too (etcd, PostgreSQL) they are read again before every
/// allocation, so the servers see each other's allocations and releases. One
/// lock makes sure two creates on this server never get the same address; on a
/// shared store an AllocationClaims key per address makes sure two servers
/// allocating in the same instant never do either.
public final class ServiceAllocator: Sendable {
    public let network: UInt32
    public let prefixLength: Int
    public let nodePortRange: ClosedRange<Int64>
    /// Addresses never handed out automatically: .1 is the `kubernetes`
    /// service, .10 the cluster DNS (both may be asked for explicitly).
    let reserved: Set<UInt32>

    struct State {
        var loaded = false
        /// The store is shared with other servers: read again before each allocation.
        var rereads = false
        var ips: Set<UInt32> = []
        var ports: Set<Int64> = []
        /// What the stored Services held at the last read (a claim for anything else may be stale).
        var storedIPs: Set<UInt32> = []
        var storedPorts: Set<Int64> = []
        var nextIP: UInt32 = 0
        var nextPort: Int64 = 0
        /// Taken by this server's writes that have not finished: not in the store yet.
        var inFlight = Allocation()
        /// Taken by this server's writes that were stored at a revision: kept until a read of the store
        /// at that revision or later has them.
        var settled: [(allocation: Allocation, revision: Int64)] = []
    }

    private let state = Mutex(State())

    public init(serviceCIDR: String = "10.43.0.0/16", nodePortRange: ClosedRange<Int64> = 30000...32767) throws {
        let parts = serviceCIDR.split(separator: "/")
        guard parts.count == 2, let ip = Self.parseIPv4(String(parts[0])), let len = Int(parts[1]), (8...30).contains(len) else {
            throw APIError.badRequest("invalid service CIDR \(serviceCIDR): expected an IPv4 network like 10.43.0.0/16")
        }
        prefixLength = len
        network = ip & (UInt32.max << (32 - UInt32(len)))
        self.nodePortRange = nodePortRange
        reserved = [network + 1, network + 10]
    }

    var size: UInt32 { UInt32(1) << (32 - UInt32(prefixLength)) }

    public static func parseIPv4(_ s: String) -> UInt32? {
        let p = s.split(separator: ".", omittingEmptySubsequences: false)
        guard p.count == 4 else { return nil }
        var v: UInt32 = 0
        for x in p {
            guard let n = UInt32(x), n <= 255, !x.isEmpty else { return nil }
            v = v << 8 | n
        }
        return v
    }

    public static func formatIPv4(_ v: UInt32) -> String {
        "\(v >> 24).\(v >> 16 & 255).\(v >> 8 & 255).\(v & 255)"
    }

    public func contains(_ ip: UInt32) -> Bool { ip & (UInt32.max << (32 - UInt32(prefixLength))) == network }

    /// Reads the current allocations from the store: what the stored Services hold, plus what this
    /// server's unfinished writes took (and finished ones the read is too old to show).
    func load(_ backend: any Backend) async throws {
        let shared = backend.sharedWithOtherServers
        let done = state.withLock { s -> Bool in
            s.rereads = shared
            return s.loaded && !shared
        }
        if done { return }
        let services = BuiltinResources.services
        let page = try await backend.list(prefix: services.keyPrefix, revision: 0, startAfter: nil, limit: 0)
        var ips: Set<UInt32> = []
        var ports: Set<Int64> = []
        for kv in page.items {
            guard let svc = try? JSONParser.parse(kv.value) else { continue }
            for ip in Self.clusterIPs(svc) { ips.insert(ip) }
            for p in svc[path: ["spec", "ports"]]?.array ?? [] { if let np = p["nodePort"]?.int, np > 0 { ports.insert(np) } }
        }
        state.withLock { s in
            if s.loaded && !shared { return } // a concurrent first read won
            s.loaded = true
            s.storedIPs = ips
            s.storedPorts = ports
            s.settled.removeAll { $0.revision <= page.revision }
            for a in [s.inFlight] + s.settled.map(\.allocation) {
                ips.formUnion(a.ips)
                ports.formUnion(a.ports)
            }
            s.ips = ips
            s.ports = ports
        }
    }

    /// A write that took `a` was stored at `revision` (the stored object's resourceVersion).
    func settle(_ a: Allocation, stored: JSON) {
        let revision = stored[path: ["metadata", "resourceVersion"]]?.string.flatMap { Int64($0) } ?? Int64.max
        state.withLock { s in
            s.inFlight.remove(a)
            // Only a store read again needs them: there they cover the read that is too old to show them.
            if s.rereads, !a.ips.isEmpty || !a.ports.isEmpty { s.settled.append((a, revision)) }
        }
    }

    static func clusterIPs(_ svc: JSON) -> [UInt32] {
        var out: [UInt32] = []
        for v in (svc[path: ["spec", "clusterIPs"]]?.array ?? []) + [svc[path: ["spec", "clusterIP"]] ?? .null] {
            if let s = v.string, let ip = parseIPv4(s), !out.contains(ip) { out.append(ip) }
        }
        return out
    }

    static func needsNodePorts(_ svc: JSON) -> Bool {
        let t = svc[path: ["spec", "type"]]?.string ?? "ClusterIP"
        return t == "NodePort" || t == "LoadBalancer"
    }

    /// Fills spec.clusterIP(s) and nodePorts of a new (or changed) Service,
    /// keeping `old`'s allocations. Returns what it newly took so a failed write can give it back.
    func allocate(_ svc: inout JSON, old: JSON?, _ r: ResourceInfo) throws -> Allocation {
        let name = svc[path: ["metadata", "name"]]?.string ?? ""
        let type = svc[path: ["spec", "type"]]?.string ?? "ClusterIP"
        return try state.withLock { s -> Allocation in
            var taken = Allocation()
            // IP
            if type != "ExternalName" {
                var want = svc[path: ["spec", "clusterIP"]]?.string ?? ""
                if want.isEmpty, let first = svc[path: ["spec", "clusterIPs"]]?.array?.first?.string { want = first }
                let oldIP = old.flatMap { Self.clusterIPs($0).first }
                if want.isEmpty, let oldIP { want = Self.formatIPv4(oldIP) }
                if want == "None" {
                    svc[path: ["spec", "clusterIPs"]] = ["None"]
                } else if want.isEmpty {
                    guard let ip = nextFreeIP(&s) else {
                        throw APIError.invalidField(r, name, field: "spec.clusterIPs", detail: "Internal error: failed to allocate a serviceIP: range is full")
                    }
                    s.ips.insert(ip)
                    s.inFlight.ips.append(ip)
                    taken.ips.append(ip)
                    want = Self.formatIPv4(ip)
                } else if Self.parseIPv4(want) != oldIP {
                    guard let ip = Self.parseIPv4(want) else {
                        throw APIError.invalidField(r, name, field: "spec.clusterIPs[0]", detail: "Invalid value: \"\(want)\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)")
                    }
                    guard contains(ip), ip != network, ip != network + size - 1 else {
                        throw APIError.invalidField(r, name, field: "spec.clusterIPs", detail: "Invalid value: []string{\"\(want)\"}: failed to allocate IP \(want): the provided IP (\(want)) is not in the valid range. The range of valid IPs is \(Self.formatIPv4(network))/\(prefixLength)")
                    }
                    guard !s.ips.contains(ip) else {
                        throw APIError.invalidField(r, name, field: "spec.clusterIPs", detail: "Invalid value: []string{\"\(want)\"}: failed to allocate IP \(want): provided IP is already allocated")
                    }
                    s.ips.insert(ip)
                    s.inFlight.ips.append(ip)
                    taken.ips.append(ip)
                }
                if want != "None" {
                    svc[path: ["spec", "clusterIP"]] = .string(want)
                    svc[path: ["spec", "clusterIPs"]] = [.string(want)]
                } else {
                    svc[path: ["spec", "clusterIP"]] = "None"
                }
                if svc[path: ["spec", "ipFamilies"]] == nil { svc[path: ["spec", "ipFamilies"]] = ["IPv4"] }
                if svc[path: ["spec", "ipFamilyPolicy"]] == nil { svc[path: ["spec", "ipFamilyPolicy"]] = "SingleStack" }
            }
            // NodePorts
            guard Self.needsNodePorts(svc), var ports = svc[path: ["spec", "ports"]]?.array else { return taken }
            let oldPorts = Set((old?[path: ["spec", "ports"]]?.array ?? []).compactMap { $0["nodePort"]?.int })
            for i in ports.indices {
                if let np = ports[i]["nodePort"]?.int, np > 0 {
                    if oldPorts.contains(np) { continue }
                    guard nodePortRange.contains(np) else {
                        s.release(taken)
                        throw APIError.invalidField(r, name, field: "spec.ports[\(i)].nodePort", detail: "Invalid value: \(np): provided port is not in the valid range. The range of valid ports is \(nodePortRange.lowerBound)-\(nodePortRange.upperBound)")
                    }
                    guard !s.ports.contains(np) else {
                        s.release(taken)
                        throw APIError.invalidField(r, name, field: "spec.ports[\(i)].nodePort", detail: "Invalid value: \(np): provided port is already allocated")
                    }
                    s.ports.insert(np)
                    s.inFlight.ports.append(np)
                    taken.ports.append(np)
                } else {
                    guard let np = nextFreePort(&s) else {
                        s.release(taken)
                        throw APIError.invalidField(r, name, field: "spec.ports[\(i)].nodePort", detail: "Internal error: failed to allocate a nodePort: range is full")
                    }
                    s.ports.insert(np)
                    s.inFlight.ports.append(np)
                    taken.ports.append(np)
                    ports[i]["nodePort"] = .int(np)
                }
            }
            svc[path: ["spec", "ports"]] = .array(ports)
            return taken
        }
    }

    struct Allocation: Sendable {
        var ips: [UInt32] = []
        var ports: [Int64] = []
    }

    func release(_ a: Allocation) { state.withLock { $0.release(a) } }

    /// On a store shared with other servers: claims what `taken` newly allocated for the Service with
    /// `uid` (AllocationClaims). What another server's Service holds stays marked taken here (so the next
    /// allocation passes it by) and the rest of `taken` is given back; true when all of it is this Service's.
    func claim(_ taken: Allocation, uid: String, _ backend: any Backend) async throws -> Bool {
        guard backend.sharedWithOtherServers, !taken.ips.isEmpty || !taken.ports.isEmpty else { return true }
        let contested: Allocation
        do {
            contested = try await AllocationClaims(backend: backend).claim(taken, for: uid) { key in
                state.withLock { s in
                    s.storedIPs.contains { AllocationClaims.key(ip: $0) == key } || s.storedPorts.contains { AllocationClaims.key(port: $0) == key }
                }
            }
        } catch {
            // The store failed: nothing was written, so nothing stays taken here (a claim already made is
            // taken over once stale).
            release(taken)
            throw error
        }
        if contested.ips.isEmpty && contested.ports.isEmpty { return true }
        state.withLock { s in
            s.release(Allocation(ips: taken.ips.filter { !contested.ips.contains($0) },
                                 ports: taken.ports.filter { !contested.ports.contains($0) }))
            s.inFlight.remove(contested)
        }
        return false
    }

    /// Gives back the claims of the Service with `uid` for `a` (nothing to do on a store of one server).
    func releaseClaims(_ a: Allocation, uid: String, _ backend: any Backend) {
        guard backend.sharedWithOtherServers, !uid.isEmpty, !a.ips.isEmpty || !a.ports.isEmpty else { return }
        Task { await AllocationClaims(backend: backend).release(a, of: uid) }
    }

    static func held(by svc: JSON) -> Allocation {
        var a = Allocation()
        a.ips = clusterIPs(svc)
        a.ports = (svc[path: ["spec", "ports"]]?.array ?? []).compactMap { $0["nodePort"]?.int }
        return a
    }

    /// Frees what a deleted Service held (and its claims).
    func release(service svc: JSON, _ backend: any Backend) async {
        let held = Self.held(by: svc)
        release(held)
        let uid = svc[path: ["metadata", "uid"]]?.string ?? ""
        guard backend.sharedWithOtherServers, !uid.isEmpty, !held.ips.isEmpty || !held.ports.isEmpty else { return }
        await AllocationClaims(backend: backend).release(held, of: uid)
    }

    /// After an update: frees what `old` held and `new` no longer does (and its claims).
    func releaseDropped(old: JSON, new: JSON, _ backend: any Backend) {
        let o = Self.held(by: old), n = Self.held(by: new)
        let dropped = Allocation(ips: o.ips.filter { !n.ips.contains($0) }, ports: o.ports.filter { !n.ports.contains($0) })
        release(dropped)
        releaseClaims(dropped, uid: new[path: ["metadata", "uid"]]?.string ?? "", backend)
    }

    private func nextFreeIP(_ s: inout State) -> UInt32? {
        // Usable offsets: 1 .. size-2 (not the network or broadcast address), minus reserved.
        let usable = size - 2
        for i in 0..<usable {
            let offset = (s.nextIP + i) % usable + 1
            let ip = network + offset
            if !s.ips.contains(ip) && !reserved.contains(ip) {
                s.nextIP = offset
                return ip
            }
        }
        return nil
    }

    private func nextFreePort(_ s: inout State) -> Int64? {
        let count = nodePortRange.upperBound - nodePortRange.lowerBound + 1
        for i in 0..<count {
            let p = nodePortRange.lowerBound + (s.nextPort + i) % count
            if !s.ports.contains(p) {
                s.nextPort = p - nodePortRange.lowerBound + 1
                return p
            }
        }
        return nil
    }
}

extension ServiceAllocator.State {
    mutating func release(_ a: ServiceAllocator.Allocation) {
        for ip in a.ips { ips.remove(ip) }
        for p in a.ports { ports.remove(p) }
        inFlight.remove(a)
    }
}

extension ServiceAllocator.Allocation {
    mutating func remove(_ a: ServiceAllocator.Allocation) {
        ips.removeAll { a.ips.contains($0) }
        ports.removeAll { a.ports.contains($0) }
    }
}
