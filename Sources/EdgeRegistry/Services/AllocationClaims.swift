import EdgeAPI
import EdgeStore
import Logging

/// On a store several API servers share (etcd, PostgreSQL), one stored key per
/// ClusterIP and nodePort a Service holds, made with the store's create-if-absent:
/// two servers allocating in the same instant both pass their own allocator, but
/// only one claim can be made, so only one Service gets the address (upstream
/// stores an IPAddress object per address for the same reason). A claim names its
/// Service; it goes when the Service lets go of the address. A claim left by a
/// server that died between claiming and writing its Service is taken over once
/// it is older than `staleAfter` and no stored Service holds that address.
struct AllocationClaims: Sendable {
    static let prefix = "/registry/edgectl.io/serviceallocations/"
    /// Longer than any write between a claim and its Service (a request's own timeout is 60 s).
    static let staleAfter: Int64 = 120

    let backend: any Backend
    static let log = Logger(label: "edgectl.service-allocator")

    static func key(ip: UInt32) -> String { prefix + "ips/" + ServiceAllocator.formatIPv4(ip) }
    static func key(port: Int64) -> String { prefix + "nodeports/\(port)" }

    static func keys(_ a: ServiceAllocator.Allocation) -> [String] {
        a.ips.map { key(ip: $0) } + a.ports.map { key(port: $0) }
    }

    /// Claims every address of `a` for `service` ("namespace/name"). Returns what another Service holds
    /// (its claims made here are given back), empty when all of `a` is now this Service's.
    func claim(_ a: ServiceAllocator.Allocation, for service: String, isHeld: (String) -> Bool) async throws -> ServiceAllocator.Allocation {
        var made: [String] = []
        var contested = ServiceAllocator.Allocation()
        let value = JSONSerializer.serialize(["service": .string(service), "since": .int(Timestamp.now().seconds)])
        for (key, item) in a.ips.map({ (Self.key(ip: $0), Either.ip($0)) }) + a.ports.map({ (Self.key(port: $0), Either.port($0)) }) {
            if try await claimOne(key, value: value, isHeld: isHeld) {
                made.append(key)
            } else {
                switch item {
                case .ip(let ip): contested.ips.append(ip)
                case .port(let p): contested.ports.append(p)
                }
            }
        }
        if !contested.ips.isEmpty || !contested.ports.isEmpty {
            for key in made { await releaseKey(key, of: service) }
        }
        return contested
    }

    /// Gives back `a`'s claims that name `service` (a claim another Service holds is left alone).
    func release(_ a: ServiceAllocator.Allocation, of service: String) async {
        for key in Self.keys(a) { await releaseKey(key, of: service) }
    }

    private enum Either { case ip(UInt32), port(Int64) }

    /// True when `key` is now claimed with `value`; false when a live claim of another holds it.
    private func claimOne(_ key: String, value: [UInt8], isHeld: (String) -> Bool) async throws -> Bool {
        do {
            _ = try await backend.create(key, value: value)
            return true
        } catch StoreError.alreadyExists {
            guard let existing = try await backend.get(key) else {
                _ = try? await backend.create(key, value: value)
                return (try? await backend.get(key))?.value == value
            }
            let claim = try? JSONParser.parse(existing.value)
            let since = claim?["since"]?.int ?? 0
            let (age, overflow) = Timestamp.now().seconds.subtractingReportingOverflow(since)
            // Stale: old, and no stored Service holds the address (the server that claimed it died first).
            guard !overflow, age >= Self.staleAfter, !isHeld(key) else { return false }
            do {
                _ = try await backend.update(key, value: value, expectedRevision: existing.modRevision)
                return true
            } catch StoreError.conflict {
                return false
            }
        }
    }

    /// A claim that cannot be given back now stays until it is stale, and is then taken over.
    private func releaseKey(_ key: String, of service: String) async {
        do {
            guard let existing = try await backend.get(key),
                  (try? JSONParser.parse(existing.value))?["service"]?.string == service else { return }
            _ = try await backend.delete(key, expectedRevision: existing.modRevision)
        } catch StoreError.notFound, StoreError.conflict {
            return // gone already, or taken over by another Service
        } catch {
            Self.log.warning("could not give back the allocation claim \(key) of \(service): \(error); it is taken over once stale")
        }
    }
}
