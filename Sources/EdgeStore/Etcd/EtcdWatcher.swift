import EdgeAPI
import Logging

/// One Backend watch on an etcd watch, kept going across etcd restarts and member failures: it reconnects
/// and asks for the revision after the last one it delivered, so the consumer sees every event once.
struct EtcdWatcher: Sendable {
    let backend: EtcdBackend
    let prefix: String
    let continuation: AsyncThrowingStream<WatchEvent, Error>.Continuation

    func run(after start: Int64) async {
        var last = start
        var delay = Duration.milliseconds(100)
        var warned = false
        while !Task.isCancelled {
            do {
                let messages = try await backend.transport.stream("/v3/watch", [
                    "create_request": [
                        "key": EtcdJSON.bytes(prefix), "range_end": EtcdJSON.bytes(EtcdJSON.prefixEnd(prefix)),
                        "start_revision": EtcdJSON.int(last + 1), "prev_kv": true,
                    ],
                ])
                for try await m in messages {
                    let compactedAt = EtcdJSON.int64(m["compact_revision"])
                    if compactedAt > 0 {
                        backend.learnCompaction(compactedAt)
                        continuation.finish(throwing: StoreError.compacted(requested: last, compactedAt: compactedAt))
                        return
                    }
                    if m["canceled"]?.bool == true {
                        throw StoreError.unavailable("etcd cancelled the watch: \(m["cancel_reason"]?.string ?? "no reason given")")
                    }
                    if m["created"]?.bool == true, warned {
                        backend.log.info("watch on \(prefix) resumed after revision \(last)")
                        warned = false
                    }
                    for e in m["events"]?.array ?? [] {
                        let ev = EtcdJSON.event(e)
                        if ev.kv.modRevision <= last { continue }
                        if case .dropped = continuation.yield(ev) {
                            continuation.finish(throwing: StoreError.database("watcher too slow: more than 10000 events behind"))
                            return
                        }
                        last = ev.kv.modRevision
                    }
                    delay = .milliseconds(100)
                }
            } catch is CancellationError {
                break
            } catch {
                if Task.isCancelled { break }
                if !warned {
                    backend.log.warning("watch on \(prefix) interrupted after revision \(last), resuming: \(error)")
                    warned = true
                }
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(2))
        }
        continuation.finish()
    }
}
