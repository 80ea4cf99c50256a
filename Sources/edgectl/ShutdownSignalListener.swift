import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Remembers a SIGTERM/SIGINT from the moment it starts listening, so a signal
/// that arrives before anyone waits is kept, and wakes every waiter.
///
/// A plain handler writes a byte to a pipe (the one thing a signal handler may
/// safely do) and a dispatch read source on the other end wakes the waiters.
/// Dispatch's own signal sources were tried first: on Linux they lost a signal
/// sent while the process was still starting its threads (the signal, ignored
/// so it would not kill the process, was discarded before dispatch saw it).
final class ShutdownSignalListener: Sendable {
    private struct State {
        var started = false
        var received = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    /// The pipe's write end, read by the handler; set before the handler is installed.
    private nonisolated(unsafe) static var writeEnd: Int32 = -1
    /// The read source lives as long as the process (written once, by the first start).
    private nonisolated(unsafe) static var kept: DispatchSourceRead?

    func start() {
        let first = state.withLock { s in
            defer { s.started = true }
            return !s.started
        }
        guard first else { return }
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            // Without a pipe the signals keep their default action: the process still stops, only not in order.
            return
        }
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        Self.writeEnd = fds[1]
        let source = DispatchSource.makeReadSource(fileDescriptor: fds[0], queue: DispatchQueue(label: "edgectl.signals"))
        source.setEventHandler { [self] in
            var buffer = [UInt8](repeating: 0, count: 16)
            _ = buffer.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
            received()
        }
        source.resume()
        Self.kept = source
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            var byte: UInt8 = 1
            _ = write(ShutdownSignalListener.writeEnd, &byte, 1)
        }
        action.sa_flags = SA_RESTART
        sigemptyset(&action.sa_mask)
        for sig in [SIGTERM, SIGINT] { sigaction(sig, &action, nil) }
    }

    func wait() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s in
                if s.received { return true }
                s.waiters.append(c)
                return false
            }
            if now { c.resume() }
        }
    }

    private func received() {
        let waiters = state.withLock { s in
            s.received = true
            defer { s.waiters = [] }
            return s.waiters
        }
        for w in waiters { w.resume() }
    }
}
