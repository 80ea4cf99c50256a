/// The state store's contract, shaped like kine's: a flat key space where every
/// write gets the next revision of one cluster-wide counter.
///
/// Keys look like `/registry/pods/default/web-1`. Values are opaque bytes (JSON
/// documents written by the API server). Compare-and-swap is expressed with the
/// revision a caller last saw (`expectedRevision` = the key's modRevision).
public protocol Backend: Sendable {
    /// The latest live value of `key`, or nil when it does not exist (or was deleted).
    func get(_ key: String) async throws -> KeyValue?

    /// Live keys starting with `prefix`, as of `revision` (0 = current), sorted by key,
    /// starting strictly after `startAfter` when given, at most `limit` items (0 = all).
    /// Throws `StoreError.compacted` when `revision` is older than the compaction point.
    func list(prefix: String, revision: Int64, startAfter: String?, limit: Int) async throws -> ListResult

    /// Number of live keys under `prefix` (for `remainingItemCount`).
    func count(prefix: String) async throws -> Int

    /// Creates `key`; throws `StoreError.alreadyExists` if it is live.
    /// Returns the new revision once the write is durable.
    func create(_ key: String, value: [UInt8]) async throws -> Int64

    /// Replaces `key` if its modRevision is still `expectedRevision`.
    /// Throws `.notFound` if absent, `.conflict(current)` if it changed.
    func update(_ key: String, value: [UInt8], expectedRevision: Int64) async throws -> Int64

    /// Deletes `key` (if `expectedRevision` is given, only if it still matches).
    /// Returns the deleted value with `modRevision` set to the deletion's revision.
    func delete(_ key: String, expectedRevision: Int64?) async throws -> KeyValue

    /// Events for keys under `prefix` with revision > `afterRevision`, in revision order,
    /// first the stored history then live events, with no gap and no duplicate.
    /// The stream finishes with `StoreError.compacted` if `afterRevision` is older
    /// than the compaction point. Cancelling the consuming task ends the watch.
    func watch(prefix: String, afterRevision: Int64) -> AsyncThrowingStream<WatchEvent, Error>

    /// Drops history older than `revision` (live values are kept).
    func compact(revision: Int64) async throws

    /// The revision of the latest committed write.
    func currentRevision() async throws -> Int64

    /// The oldest revision a list or watch may still ask for.
    func compactedRevision() async throws -> Int64

    /// Flushes and closes (checkpoints the WAL for SQLite).
    func close() async

    /// Whether other API servers may write to this store too (etcd, PostgreSQL): what a server keeps
    /// from it between requests (service allocations) must then be read again before use. SQLite and
    /// the memory fake serve one server (the default).
    var sharedWithOtherServers: Bool { get }
}

extension Backend {
    public var sharedWithOtherServers: Bool { false }
}

public struct KeyValue: Sendable, Equatable {
    public var key: String
    public var value: [UInt8]
    /// Revision of the write that created the key (stays the same across updates).
    public var createRevision: Int64
    /// Revision of the latest write to the key (its resourceVersion).
    public var modRevision: Int64

    public init(key: String, value: [UInt8], createRevision: Int64, modRevision: Int64) {
        self.key = key
        self.value = value
        self.createRevision = createRevision
        self.modRevision = modRevision
    }
}

public struct ListResult: Sendable {
    public var items: [KeyValue]
    /// The revision the list was served at.
    public var revision: Int64
    /// True when more keys follow the last returned item.
    public var more: Bool

    public init(items: [KeyValue], revision: Int64, more: Bool) {
        self.items = items
        self.revision = revision
        self.more = more
    }
}

public enum WatchEventType: Sendable, Equatable {
    case put, delete
}

public struct WatchEvent: Sendable, Equatable {
    public var type: WatchEventType
    /// For `.put`, the new value. For `.delete`, the last value with modRevision = the deletion revision.
    public var kv: KeyValue
    /// The value before this event (nil for a create).
    public var prevKV: KeyValue?
    /// True when the put created the key.
    public var isCreate: Bool

    public init(type: WatchEventType, kv: KeyValue, prevKV: KeyValue?, isCreate: Bool) {
        self.type = type
        self.kv = kv
        self.prevKV = prevKV
        self.isCreate = isCreate
    }
}

public enum StoreError: Error, Sendable, Equatable {
    case notFound(key: String)
    case alreadyExists(key: String)
    /// The key changed since `expectedRevision`; carries the current modRevision.
    case conflict(key: String, currentRevision: Int64)
    /// The requested revision was compacted away; carries the compaction point.
    case compacted(requested: Int64, compactedAt: Int64)
    /// A revision in the future was requested.
    case futureRevision(requested: Int64, current: Int64)
    case closed
    case database(String)
    /// The disk under the store is full (SQLite's SQLITE_FULL, etcd's NOSPACE); deletes still go through.
    case noSpace(String)
    /// The store opened at an older revision than one already handed to clients: acknowledged writes
    /// were lost (a deleted, truncated or corrupted WAL). It refuses to serve until recovered.
    case revisionsLost(String)
    /// The datastore cannot be reached or has no quorum right now (etcd or PostgreSQL down, a network
    /// partition): the request may be retried shortly. The API server answers 503 with Retry-After.
    case unavailable(String)
}

extension StoreError: CustomStringConvertible {
    /// Plain words for logs and API messages (no enum syntax, no nested quoting).
    public var description: String {
        switch self {
        case .notFound(let key): return "\(key) not found"
        case .alreadyExists(let key): return "\(key) already exists"
        case .conflict(let key, let rev): return "\(key) changed (now at revision \(rev))"
        case .compacted(let requested, let at): return "revision \(requested) is compacted (oldest available \(at))"
        case .futureRevision(let requested, let current): return "revision \(requested) is ahead of the store (\(current))"
        case .closed: return "the store is closed"
        case .database(let message): return message
        case .noSpace(let message): return "no space left for the store: \(message)"
        case .revisionsLost(let message): return message
        case .unavailable(let message): return "the datastore is unavailable: \(message)"
        }
    }
}
