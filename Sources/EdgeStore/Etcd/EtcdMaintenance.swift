import EdgeAPI

/// etcd's cluster and maintenance calls edgectl needs beyond the key-value ones: membership for
/// `--cluster-init` servers, and snapshots for `edgectl backup save`.
public struct EtcdMaintenance: Sendable {
    let backend: EtcdBackend

    public init(_ backend: EtcdBackend) { self.backend = backend }

    public struct Member: Sendable, Equatable {
        public var id: UInt64
        public var name: String
        public var peerURLs: [String]
        public var clientURLs: [String]
    }

    static func member(_ j: JSON) -> Member {
        Member(id: UInt64(j["ID"]?.string ?? "") ?? UInt64(clamping: j["ID"]?.int ?? 0), name: j["name"]?.string ?? "",
               peerURLs: j["peerURLs"]?.array?.compactMap(\.string) ?? [], clientURLs: j["clientURLs"]?.array?.compactMap(\.string) ?? [])
    }

    public func members() async throws -> [Member] {
        let r = try await backend.call("/v3/cluster/member/list", [:])
        return (r["members"]?.array ?? []).map(Self.member)
    }

    /// Adds a member that will listen for peers at `peerURL`; the members (the new one without a name yet).
    public func addMember(peerURL: String) async throws -> (added: Member, members: [Member]) {
        let r = try await backend.call("/v3/cluster/member/add", ["peerURLs": [.string(peerURL)]])
        return (Self.member(r["member"] ?? [:]), (r["members"]?.array ?? []).map(Self.member))
    }

    public func removeMember(id: UInt64) async throws {
        _ = try await backend.call("/v3/cluster/member/remove", ["ID": .string(String(id))])
    }

    /// A consistent snapshot of the whole keyspace (etcd's backend database), streamed into `write`.
    /// Returns the bytes written.
    @discardableResult
    public func snapshot(_ write: (ArraySlice<UInt8>) throws -> Void) async throws -> Int64 {
        var total: Int64 = 0
        var sawLast = false
        do {
            for try await m in try await backend.transport.stream("/v3/maintenance/snapshot", [:]) {
                let blob = EtcdJSON.decodeBytes(m["blob"])
                try write(blob[...])
                total += Int64(blob.count)
                // The data's last chunk says nothing remains; one more message follows, etcd's sha256 of the data.
                if EtcdJSON.int64(m["remaining_bytes"]) == 0 { sawLast = true }
            }
        } catch let e as EtcdError {
            throw await backend.translate(e, requested: 0)
        } catch StoreError.unavailable(let why) where sawLast && why.hasPrefix("etcd ended the stream") {
            return total // the gateway ends the response after the checksum
        }
        throw StoreError.unavailable("etcd ended the snapshot before its end (\(total) bytes)")
    }
}
