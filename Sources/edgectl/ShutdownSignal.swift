import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Waits for SIGTERM or SIGINT, so daemons stop in order instead of dying mid-write.
enum ShutdownSignal {
    static func wait() async {
        await withCheckedContinuation { (cont: CheckedContinuation<Void, Never>) in
            let queue = DispatchQueue(label: "edgectl.signals")
            let once = OnceFlag()
            var sources: [DispatchSourceSignal] = []
            for sig in [SIGTERM, SIGINT] {
                signal(sig, SIG_IGN)
                let s = DispatchSource.makeSignalSource(signal: sig, queue: queue)
                s.setEventHandler {
                    if once.set() { cont.resume() }
                }
                s.resume()
                sources.append(s)
            }
            // Keep the sources alive for the life of the process.
            SignalSources.keep(sources)
        }
    }
}

/// Resumes a continuation only once even if both signals arrive.
final class OnceFlag: @unchecked Sendable {
    private var done = false
    /// Called only on the signal queue (serial), so no lock is needed.
    func set() -> Bool {
        if done { return false }
        done = true
        return true
    }
}

enum SignalSources {
    nonisolated(unsafe) static var all: [DispatchSourceSignal] = []
    static func keep(_ s: [DispatchSourceSignal]) { all += s }
}
