/// Waits for SIGTERM or SIGINT, so daemons stop in order instead of dying mid-write.
///
/// A daemon calls `listen()` first thing, before it announces itself: a signal sent
/// as soon as the "ready" line appears (a supervisor, a test) would otherwise land
/// between the default action being replaced and the listener being in place, and
/// be lost, leaving a daemon that never stops.
enum ShutdownSignal {
    private static let listener = ShutdownSignalListener()

    /// Starts listening; from now on SIGTERM and SIGINT no longer kill the process at once.
    static func listen() {
        listener.start()
    }

    /// Returns once SIGTERM or SIGINT has arrived (at once if one already has).
    static func wait() async {
        listener.start()
        await listener.wait()
    }
}
