import EdgeAPI
import EdgeRegistry
import EdgeStore
import Synchronization

/// A watch request: optional initial ADDED events (for resourceVersion "" or
/// "0"), then store events translated to API watch events, with selector
/// transitions (an object that stops matching is DELETED for this watcher),
/// bookmarks when asked, and an end after timeoutSeconds.
struct WatchHandler: Sendable {
    let store: ObjectStore
    let strategy: any ResourceStrategy
    var resource: ResourceInfo { strategy.resource }
    let namespace: String?
    let options: ListOptions
    let shape: ResponseShape

    /// How often bookmarks go out when the client allows them.
    static let bookmarkInterval: Duration = .seconds(30)

    /// The longest timeoutSeconds honoured as given; longer ones never end either.
    static let maxTimeoutSeconds: Int64 = 100 * 365 * 24 * 3600

    func start() async throws -> HTTPResponse {
        var initial: [JSON] = []
        var fromRevision: Int64
        /// Events up to this revision are not for this watcher: it asked to start past the store's present.
        var skipThrough: UInt64?
        let rv = options.resourceVersion
        let sendInitial = options.sendInitialEvents ?? (rv == nil || rv == "0")
        if sendInitial {
            if let wanted = options.minimumRevision {
                // Upstream waits for the cache to reach the revision, then ends the watch with one ERROR event.
                do { try await store.waitUntilFresh(wanted) } catch let e as APIError { return Self.single(Self.errorEvent(e)) }
            }
            var listOpts = options
            listOpts.limit = 0
            listOpts.continueToken = nil
            listOpts.resourceVersionMatch = nil
            listOpts.resourceVersion = nil
            listOpts.resourceVersionNumber = nil
            let page = try await store.list(resource, namespace: namespace, options: listOpts)
            initial = page.items
            fromRevision = page.revision
        } else {
            let current = try await store.backend.currentRevision()
            let wanted = options.resourceVersionNumber ?? UInt64(max(current, 0))
            if wanted > UInt64(max(current, 0)) {
                // A watch ahead of the store is accepted, as upstream's: it hears nothing until the store passes it.
                fromRevision = current
                skipThrough = wanted
            } else {
                fromRevision = Int64(wanted)
            }
        }
        let compactedAt = try await store.backend.compactedRevision()
        if fromRevision < compactedAt && !sendInitial {
            // Upstream answers a watch from a compacted revision with 200 and one ERROR event.
            return Self.single(Self.errorEvent(APIError.gone("too old resource version: \(fromRevision) (\(compactedAt))")))
        }
        let events = store.backend.watch(prefix: resource.listPrefix(namespace: namespace), afterRevision: fromRevision)
        let floor = skipThrough
        let (stream, cont) = AsyncStream<[UInt8]>.makeStream(bufferingPolicy: .unbounded)
        let lastRevision = RevisionCell(fromRevision)
        let handler = self
        let bookmarkInitialEnd = options.sendInitialEvents == true && options.allowWatchBookmarks
        let producer = Task {
            for obj in initial { cont.yield(handler.encode("ADDED", obj)) }
            if bookmarkInitialEnd {
                cont.yield(handler.bookmark(fromRevision, initialEventsEnd: true))
            }
            do {
                for try await ev in events {
                    if let floor, UInt64(max(ev.kv.modRevision, 0)) <= floor { continue }
                    lastRevision.set(ev.kv.modRevision)
                    if let bytes = try handler.translate(ev) { cont.yield(bytes) }
                }
            } catch let e as StoreError {
                if case .compacted(let req, let at) = e {
                    cont.yield(Self.errorEvent(APIError.gone("too old resource version: \(req) (\(at))")))
                } else {
                    cont.yield(Self.errorEvent(APIError.internalError("watch ended: \(e)")))
                }
            } catch is CancellationError {
            } catch {
                cont.yield(Self.errorEvent(APIError.internalError("watch ended: \(error)")))
            }
            cont.finish()
        }
        let allowBookmarks = options.allowWatchBookmarks
        let timeout = options.timeoutSeconds.map { min($0, Self.maxTimeoutSeconds) }
        let ticker = Task {
            let started = ContinuousClock.now
            while !Task.isCancelled {
                var sleep = allowBookmarks ? Self.bookmarkInterval : .seconds(3600)
                if let timeout {
                    let left = Duration.seconds(timeout) - (ContinuousClock.now - started)
                    if left <= .zero { break }
                    sleep = min(sleep, left)
                }
                try? await Task.sleep(for: sleep)
                if Task.isCancelled { return }
                if let timeout, ContinuousClock.now - started >= .seconds(timeout) { break }
                if allowBookmarks { cont.yield(handler.bookmark(lastRevision.get(), initialEventsEnd: false)) }
            }
            if !Task.isCancelled { cont.finish() }
        }
        cont.onTermination = { _ in
            producer.cancel()
            ticker.cancel()
        }
        return HTTPResponse(status: 200, headers: Self.headers, body: .stream(stream))
    }

    static let headers = [("Content-Type", "application/json"), ("Transfer-Encoding", "chunked")]

    /// A watch answered with one event and ended (an ERROR upstream sends on the stream, not as the status).
    static func single(_ event: [UInt8]) -> HTTPResponse {
        let (stream, cont) = AsyncStream<[UInt8]>.makeStream()
        cont.yield(event)
        cont.finish()
        return HTTPResponse(status: 200, headers: headers, body: .stream(stream))
    }

    /// Store event → API watch event bytes, or nil when this watcher should not see it.
    func translate(_ ev: WatchEvent) throws -> [UInt8]? {
        if options.labelSelector == nil && options.fieldSelector == nil, let bytes = try translateStored(ev) { return bytes }
        return try translateParsed(ev)
    }

    /// `translate` by building the object: selectors look inside it, Tables are made from it.
    func translateParsed(_ ev: WatchEvent) throws -> [UInt8]? {
        switch ev.type {
        case .delete:
            let obj = try ObjectCodec.decode(ev.kv)
            return options.matches(obj) ? encode("DELETED", obj) : nil
        case .put:
            let obj = try ObjectCodec.decode(ev.kv)
            let nowMatches = options.matches(obj)
            let wasMatching = try ev.prevKV.map { options.matches(try ObjectCodec.decode($0)) } ?? false
            switch (ev.isCreate || ev.prevKV == nil, wasMatching, nowMatches) {
            case (true, _, true): return encode("ADDED", obj)
            case (false, true, true): return encode("MODIFIED", obj)
            case (false, false, true): return encode("ADDED", obj)
            case (false, true, false): return encode("DELETED", obj)
            default: return nil
            }
        }
    }

    /// The event without building the object, for a watcher without selectors
    /// (every event is for it) that wants objects or their metadata: the stored
    /// bytes with the resourceVersion spliced in (ObjectCodec.appendEncoded),
    /// the same bytes `encode` gives: objects the resource's storage conversion
    /// would change are converted and encoded there. Tables still build the object (nil).
    func translateStored(_ ev: WatchEvent) throws -> [UInt8]? {
        let type: String
        switch ev.type {
        case .delete: type = "DELETED"
        case .put: type = ev.isCreate || ev.prevKV == nil ? "ADDED" : "MODIFIED"
        }
        var out = Array(#"{"type":""#.utf8)
        out.reserveCapacity(ev.kv.value.count + 96)
        out += Array(type.utf8)
        out += Array(#"","object":"#.utf8)
        switch shape {
        case .object:
            try ObjectCodec.appendEncoded(ev.kv, readThrough: strategy, to: &out)
        case .metadata:
            out += Array(#"{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":"#.utf8)
            try ObjectCodec.appendEncodedMetadata(ev.kv, readThrough: strategy, to: &out)
            out.append(UInt8(ascii: "}"))
        case .table:
            return nil
        }
        out += Array("}\n".utf8)
        return out
    }

    func encode(_ type: String, _ stored: JSON) -> [UInt8] {
        var obj = stored
        strategy.convertFromStorage(&obj)
        let rendered: JSON
        switch shape {
        case .object: rendered = obj
        case .metadata: rendered = Rendering.partialMetadata(obj)
        case .table(let include): rendered = TableRenderer.table(strategy, [obj], includeObject: include, listMeta: nil)
        }
        var out = Array(#"{"type":""#.utf8)
        out += Array(type.utf8)
        out += Array(#"","object":"#.utf8)
        JSONSerializer.write(rendered, to: &out)
        out += Array("}\n".utf8)
        return out
    }

    func bookmark(_ revision: Int64, initialEventsEnd: Bool) -> [UInt8] {
        var meta: JSON = ["resourceVersion": .string(String(revision))]
        if initialEventsEnd { meta["annotations"] = ["k8s.io/initial-events-end": "true"] }
        let obj: JSON = ["kind": .string(resource.kind), "apiVersion": .string(resource.apiVersion), "metadata": meta]
        var out = Array(#"{"type":"BOOKMARK","object":"#.utf8)
        JSONSerializer.write(obj, to: &out)
        out += Array("}\n".utf8)
        return out
    }

    static func errorEvent(_ e: APIError) -> [UInt8] {
        var out = Array(#"{"type":"ERROR","object":"#.utf8)
        JSONSerializer.write(e.status, to: &out)
        out += Array("}\n".utf8)
        return out
    }
}

/// The newest revision a watch has passed, shared with its bookmark ticker.
final class RevisionCell: Sendable {
    private let value: Mutex<Int64>
    init(_ v: Int64) { value = Mutex(v) }
    func set(_ v: Int64) { value.withLock { $0 = v } }
    func get() -> Int64 { value.withLock { $0 } }
}
