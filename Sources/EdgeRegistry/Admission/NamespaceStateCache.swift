import EdgeStore
import Synchronization

/// Whether a namespace is terminating, remembered for the stored bytes it was judged
/// from: NamespaceLifecycle reads the namespace on every create, and parsing it each
/// time was about a twentieth of a create's instructions. The namespace is still read
/// from the store on every create (a deleted or changed namespace is seen at once);
/// only the parse is skipped when its stored bytes are the ones already judged, which
/// holds across stores sharing the admission chain (tests) since the bytes decide.
/// Bounded: emptied when it reaches `limit` namespaces.
final class NamespaceStateCache: Sendable {
    private let entries = Mutex<[String: (value: [UInt8], terminating: Bool)]>([:])
    let limit: Int

    init(limit: Int = 256) { self.limit = limit }

    /// The remembered answer for `kv`, or `judge`'s (then remembered) when its bytes are new.
    func terminating(_ kv: KeyValue, judge: (KeyValue) throws -> Bool) rethrows -> Bool {
        if let hit = entries.withLock({ $0[kv.key] }), hit.value == kv.value { return hit.terminating }
        let answer = try judge(kv)
        entries.withLock { m in
            if m.count >= limit && m[kv.key] == nil { m.removeAll(keepingCapacity: true) }
            m[kv.key] = (kv.value, answer)
        }
        return answer
    }

    var count: Int { entries.withLock { $0.count } }
}
