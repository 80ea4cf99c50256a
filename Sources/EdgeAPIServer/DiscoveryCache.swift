import EdgeAPI
import EdgeRegistry
import Synchronization

/// Serialized discovery documents, kept until the catalog's version changes
/// (a custom resource registered or removed): kubectl and controllers ask for
/// them often, and they change rarely.
final class DiscoveryCache: Sendable {
    private struct State {
        var version: UInt64 = 0
        var documents: [String: [UInt8]] = [:]
    }

    private let state = Mutex(State())

    /// The document `key` at the snapshot's version, built by `make` when not cached; nil when `make` finds none.
    func document(_ key: String, _ snapshot: CatalogSnapshot, _ make: (CatalogSnapshot) -> JSON?) -> [UInt8]? {
        let cached: [UInt8]? = state.withLock { s in
            if s.version != snapshot.version {
                s.version = snapshot.version
                s.documents = [:]
            }
            return s.documents[key]
        }
        if let cached { return cached }
        guard let doc = make(snapshot) else { return nil }
        var bytes = JSONSerializer.serialize(doc)
        bytes.append(0x0A)
        state.withLock { s in
            if s.version == snapshot.version { s.documents[key] = bytes }
        }
        return bytes
    }
}
