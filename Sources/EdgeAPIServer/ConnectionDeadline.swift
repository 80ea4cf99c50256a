import NIOCore

/// When a connection must have made progress, as Go's http.Server times it for
/// the apiserver: from accept, the TLS handshake and the first request's head
/// within the read-header timeout; between requests, the next one must start
/// within the idle timeout and then its head must arrive within the
/// read-header timeout; while a request is served (watches, exec) no clock runs.
/// Confined to the connection's event loop.
final class ConnectionDeadline: @unchecked Sendable {
    enum Phase { case awaitingHead, serving, idle }

    let channel: Channel
    let limits: ConnectionLimits
    private(set) var phase = Phase.awaitingHead
    private var timer: Scheduled<Void>?
    /// Counts requests, so a late "finished" for one request cannot start the idle
    /// clock while a pipelined next one is already being served.
    private var request = 0

    init(channel: Channel, limits: ConnectionLimits) {
        self.channel = channel
        self.limits = limits
    }

    func start() { arm(limits.readHeaderTimeout) }

    /// Bytes arrived: after an idle wait they begin the next request's head.
    func bytesArrived() {
        channel.eventLoop.assertInEventLoop()
        if phase == .idle {
            phase = .awaitingHead
            arm(limits.readHeaderTimeout)
        }
    }

    /// A whole request head is in: the request is served for as long as it takes.
    /// Returns the request's number, for `responseFinished`.
    @discardableResult
    func requestStarted() -> Int {
        channel.eventLoop.assertInEventLoop()
        phase = .serving
        timer?.cancel()
        timer = nil
        request += 1
        return request
    }

    /// Request `number`'s response is written and the connection kept alive: it may now idle.
    func responseFinished(_ number: Int) {
        channel.eventLoop.assertInEventLoop()
        guard phase == .serving, number == request else { return }
        phase = .idle
        arm(limits.idleTimeout)
    }

    func stop() {
        timer?.cancel()
        timer = nil
    }

    /// A zero timeout (the flag's 0) disables that clock.
    private func arm(_ d: Duration) {
        timer?.cancel()
        timer = nil
        guard d > .zero else { return }
        let nanos = d.components.seconds.saturatingMultiplied(by: 1_000_000_000)
            .saturatingAdding(d.components.attoseconds / 1_000_000_000)
        let channel = self.channel
        timer = channel.eventLoop.scheduleTask(in: .nanoseconds(nanos)) { channel.close(promise: nil) }
    }
}
