import EdgeAPI
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// The Backend contract on etcd v3, as kube-apiserver uses it: revisions are etcd's own, compare-and-swap is
/// a transaction on the key's mod_revision, watches are etcd watches, compaction is etcd's. Spoken through
/// etcd's v3 JSON gateway over HTTP/1.1 (see docs/STORES.md for why not gRPC).
///
/// Several edgectl servers may share one etcd: every one sees every write through its watches.
/// While etcd is unreachable calls fail with `StoreError.unavailable` and watches wait and resume where
/// they were (from the next revision, so no event is missed or repeated), unless that revision was
/// compacted meanwhile: then they end with `StoreError.compacted`, and clients relist.
public final class EtcdBackend: Backend {
    /// Several servers on one etcd: each reads what the others wrote.
    public var sharedWithOtherServers: Bool { true }
    let transport: EtcdTransport
    let log = Logger(label: "edgectl.store.etcd")
    /// The highest compaction point seen (our compactions, other servers' through `compactKey`, watch cancellations).
    let compacted = Mutex<Int64>(0)
    private let watches = Mutex<(next: Int, tasks: [Int: Task<Void, Never>], closed: Bool)>((0, [:], false))
    private let ownsGroup: EventLoopGroup?

    /// Where servers record how far they compacted, as kube-apiserver's compactor does (outside /registry).
    static let compactKey = "compact_rev_key"

    public init(endpoints: EtcdEndpoints, tls: DatastoreTLS = DatastoreTLS(), group: EventLoopGroup? = nil,
                requestTimeout: Duration = .seconds(10)) throws {
        let g: EventLoopGroup
        if let group { g = group; ownsGroup = nil } else {
            let own = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            g = own
            ownsGroup = own
        }
        transport = try EtcdTransport(endpoints: endpoints, tls: tls, group: g, requestTimeout: requestTimeout)
    }

    public var endpoints: EtcdEndpoints { transport.endpoints }

    /// Waits until etcd answers (a server may start before its datastore), up to `timeout`.
    public func waitUntilReachable(timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            do {
                _ = try await currentRevision()
                _ = try await compactedRevision()
                return
            } catch let e as StoreError {
                guard case .unavailable = e, ContinuousClock.now < deadline else { throw e }
                log.info("waiting for etcd at \(transport.endpoints): \(e)")
                try await Task.sleep(for: .milliseconds(500))
            }
        }
    }

    func call(_ path: String, _ request: JSON, requested: Int64 = 0) async throws -> JSON {
        do {
            return try await transport.call(path, request)
        } catch let e as EtcdError {
            throw await translate(e, requested: requested)
        }
    }

    /// etcd's words in the Backend's terms.
    func translate(_ e: EtcdError, requested: Int64) async -> StoreError {
        if e.isCompacted {
            return .compacted(requested: requested, compactedAt: await compactionPoint(after: requested))
        }
        if e.isFutureRevision {
            return .futureRevision(requested: requested, current: (try? await currentRevision()) ?? 0)
        }
        if e.isTransient { return .unavailable(e.description) }
        if e.isNoSpace { return .noSpace("etcd: database space exceeded (etcd's NOSPACE alarm: compact and defragment etcd, then disarm the alarm)") }
        return .database(e.description)
    }

    // MARK: reads

    public func get(_ key: String) async throws -> KeyValue? {
        let r = try await call("/v3/kv/range", ["key": EtcdJSON.bytes(key)])
        return r["kvs"]?.array?.first.map(EtcdJSON.keyValue)
    }

    public func list(prefix: String, revision: Int64, startAfter: String?, limit: Int) async throws -> ListResult {
        var req: JSON = [
            "key": EtcdJSON.bytes(startAfter.map { $0 + "\u{0}" } ?? prefix),
            "range_end": EtcdJSON.bytes(EtcdJSON.prefixEnd(prefix)),
        ]
        if revision != 0 { req["revision"] = EtcdJSON.int(revision) }
        if limit > 0 { req["limit"] = EtcdJSON.int(Int64(limit)) }
        let r = try await call("/v3/kv/range", req, requested: revision)
        let items = (r["kvs"]?.array ?? []).map(EtcdJSON.keyValue)
        return ListResult(items: items, revision: revision == 0 ? EtcdJSON.revision(r) : revision, more: r["more"]?.bool ?? false)
    }

    public func count(prefix: String) async throws -> Int {
        let r = try await call("/v3/kv/range", ["key": EtcdJSON.bytes(prefix), "range_end": EtcdJSON.bytes(EtcdJSON.prefixEnd(prefix)),
                                                 "count_only": true])
        return Int(clamping: EtcdJSON.int64(r["count"]))
    }

    public func currentRevision() async throws -> Int64 {
        let r = try await call("/v3/kv/range", ["key": EtcdJSON.bytes(Self.compactKey), "count_only": true])
        return EtcdJSON.revision(r)
    }

    public func compactedRevision() async throws -> Int64 {
        let r = try await call("/v3/kv/range", ["key": EtcdJSON.bytes(Self.compactKey)])
        let recorded = r["kvs"]?.array?.first.map { Int64(String(decoding: EtcdJSON.decodeBytes($0["value"]), as: UTF8.self)) ?? 0 } ?? 0
        return learnCompaction(recorded)
    }

    @discardableResult
    func learnCompaction(_ rev: Int64) -> Int64 {
        compacted.withLock { c in
            c = max(c, rev)
            return c
        }
    }

    /// The compaction point when a read at `requested` was refused as compacted: a watch from there is
    /// cancelled by etcd with the exact point.
    func compactionPoint(after requested: Int64) async -> Int64 {
        let known = compacted.withLock { $0 }
        if known > requested { return known }
        do {
            let stream = try await transport.stream("/v3/watch", [
                "create_request": ["key": EtcdJSON.bytes(Self.compactKey), "start_revision": EtcdJSON.int(max(requested, 1))],
            ])
            for try await m in stream {
                let at = EtcdJSON.int64(m["compact_revision"])
                if at > 0 { return learnCompaction(at) }
                if m["canceled"]?.bool == true || m["created"]?.bool != true { break }
            }
        } catch {}
        return learnCompaction(requested + 1)
    }

    // MARK: writes

    /// A transaction: `compare` then `success`, else `failure` (etcd's Txn).
    func txn(_ compare: [JSON], success: [JSON], failure: [JSON]) async throws -> (ok: Bool, revision: Int64, responses: [JSON]) {
        let r = try await call("/v3/kv/txn", ["compare": .array(compare), "success": .array(success), "failure": .array(failure)])
        return (r["succeeded"]?.bool ?? false, EtcdJSON.revision(r), r["responses"]?.array ?? [])
    }

    public func create(_ key: String, value: [UInt8]) async throws -> Int64 {
        let k = EtcdJSON.bytes(key)
        let t = try await txn([["key": k, "target": "CREATE", "result": "EQUAL", "create_revision": "0"]],
                              success: [["request_put": ["key": k, "value": EtcdJSON.bytes(value)]]], failure: [])
        guard t.ok else { throw StoreError.alreadyExists(key: key) }
        return t.revision
    }

    public func update(_ key: String, value: [UInt8], expectedRevision: Int64) async throws -> Int64 {
        let k = EtcdJSON.bytes(key)
        let t = try await txn([["key": k, "target": "MOD", "result": "EQUAL", "mod_revision": EtcdJSON.int(expectedRevision)]],
                              success: [["request_put": ["key": k, "value": EtcdJSON.bytes(value)]]],
                              failure: [["request_range": ["key": k]]])
        guard t.ok else { throw Self.refusal(key, t.responses) }
        return t.revision
    }

    public func delete(_ key: String, expectedRevision: Int64?) async throws -> KeyValue {
        let k = EtcdJSON.bytes(key)
        let compare: JSON = expectedRevision.map { ["key": k, "target": "MOD", "result": "EQUAL", "mod_revision": EtcdJSON.int($0)] }
            ?? ["key": k, "target": "VERSION", "result": "GREATER", "version": "0"]
        let t = try await txn([compare], success: [["request_delete_range": ["key": k, "prev_kv": true]]],
                              failure: [["request_range": ["key": k]]])
        guard t.ok else { throw Self.refusal(key, t.responses) }
        guard let prev = t.responses.first?["response_delete_range"]?["prev_kvs"]?.array?.first.map(EtcdJSON.keyValue) else {
            throw StoreError.notFound(key: key)
        }
        return KeyValue(key: key, value: prev.value, createRevision: prev.createRevision, modRevision: t.revision)
    }

    /// Why a compare failed, from the failure branch's read of the key.
    static func refusal(_ key: String, _ responses: [JSON]) -> StoreError {
        guard let cur = responses.first?["response_range"]?["kvs"]?.array?.first else { return .notFound(key: key) }
        return .conflict(key: key, currentRevision: EtcdJSON.int64(cur["mod_revision"]))
    }

    // MARK: compaction

    public func compact(revision: Int64) async throws {
        let known = try await compactedRevision()
        let target = min(revision, try await currentRevision())
        if target <= known { return }
        // Recorded first, as kube-apiserver does, so other servers learn the point even if this one stops.
        let k = EtcdJSON.bytes(Self.compactKey)
        let r = try await call("/v3/kv/range", ["key": k])
        let modRevision = r["kvs"]?.array?.first.map { EtcdJSON.int64($0["mod_revision"]) } ?? 0
        _ = try await txn([["key": k, "target": "MOD", "result": "EQUAL", "mod_revision": EtcdJSON.int(modRevision)]],
                          success: [["request_put": ["key": k, "value": EtcdJSON.bytes(String(target))]]], failure: [])
        do {
            _ = try await transport.call("/v3/kv/compaction", ["revision": EtcdJSON.int(target)])
        } catch let e as EtcdError where e.isCompacted {
            // Someone compacted further already.
        } catch let e as EtcdError {
            throw await translate(e, requested: target)
        }
        learnCompaction(target)
    }

    // MARK: watch

    public func watch(prefix: String, afterRevision: Int64) -> AsyncThrowingStream<WatchEvent, Error> {
        let (stream, cont) = AsyncThrowingStream<WatchEvent, Error>.makeStream(bufferingPolicy: .bufferingOldest(10_000))
        let known = compacted.withLock { $0 }
        if afterRevision < known {
            cont.finish(throwing: StoreError.compacted(requested: afterRevision, compactedAt: known))
            return stream
        }
        let watcher = EtcdWatcher(backend: self, prefix: prefix, continuation: cont)
        let id: Int? = watches.withLock { w in
            if w.closed { return nil }
            let id = w.next
            w.next += 1
            w.tasks[id] = Task { await watcher.run(after: afterRevision) }
            return id
        }
        guard let id else {
            cont.finish()
            return stream
        }
        cont.onTermination = { [weak self] _ in
            let task = self?.watches.withLock { $0.tasks.removeValue(forKey: id) }
            task?.cancel()
        }
        return stream
    }

    /// Open watches (tests, metrics).
    public var watchCount: Int { watches.withLock { $0.tasks.count } }

    public func close() async {
        let tasks = watches.withLock { w -> [Task<Void, Never>] in
            w.closed = true
            defer { w.tasks.removeAll() }
            return Array(w.tasks.values)
        }
        for t in tasks { t.cancel() }
        transport.close()
        if let ownsGroup { try? await ownsGroup.shutdownGracefully() }
    }
}
