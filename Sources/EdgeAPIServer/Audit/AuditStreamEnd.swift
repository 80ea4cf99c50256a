import EdgeAPI
import EdgeAuth
import Synchronization

/// Writes a streamed answer's ResponseComplete event once, whether the stream
/// ended or its reader went away.
final class StreamEnd: Sendable {
    let sink: any AuditSink
    let event: AuditEvent
    let omit: Bool
    private let done = Mutex(false)

    init(sink: any AuditSink, event: AuditEvent, omit: Bool) {
        self.sink = sink
        self.event = event
        self.omit = omit
    }

    func record() {
        guard !done.withLock({ d in defer { d = true }; return d }), !omit else { return }
        var ev = event
        ev.stage = .responseComplete
        ev.stageTimestamp = Timestamp.now()
        _ = sink.write(ev)
    }
}

/// An AsyncStream's iterator shared with the unfolding closure that replaces
/// it; that closure is only ever called by one reader at a time.
final class IteratorBox: @unchecked Sendable {
    private var iterator: AsyncStream<[UInt8]>.AsyncIterator

    init(_ iterator: AsyncStream<[UInt8]>.AsyncIterator) { self.iterator = iterator }

    func next() async -> [UInt8]? { await iterator.next() }
}
