import CEdgeRuntime
import EdgeAPI
#if canImport(Glibc)
import Glibc
#endif

/// One container instance as its directory tells it: started (state.json),
/// ended (exit.json), or neither yet. Read again after an agent restart.
public struct ContainerRecord: Sendable, Equatable {
    public var dir: String
    public var pid: Int32?
    public var startedAt: String?
    public var exit: Exit?

    public struct Exit: Sendable, Equatable {
        public var exitCode: Int32
        public var signal: Int32
        public var finishedAt: String
        public var oomKilled: Bool
        /// Set when the container never ran.
        public var startError: String?
    }

    public static func read(_ dir: String) -> ContainerRecord {
        var r = ContainerRecord(dir: dir)
        if let s = PosixFile.readJSON(Shim.statePath(dir)) {
            r.pid = s["pid"]?.int.map { Int32($0) }
            r.startedAt = s["startedAt"]?.string
            // A pid that now belongs to another process means the container is long gone.
            if let pid = r.pid, let ticks = s["startTicks"]?.int, r.exitRecord == nil,
               edge_process_start_ticks(pid) != UInt64(ticks) {
                r.exit = Exit(exitCode: 137, signal: 9, finishedAt: Timestamp.now().rfc3339, oomKilled: false, startError: nil)
            }
        }
        if let e = r.exitRecord { r.exit = e }
        return r
    }

    var exitRecord: Exit? {
        guard let e = PosixFile.readJSON(Shim.exitPath(dir)) else { return nil }
        return Exit(exitCode: Int32(e["exitCode"]?.int ?? 0), signal: Int32(e["signal"]?.int ?? 0),
                    finishedAt: e["finishedAt"]?.string ?? Timestamp.now().rfc3339, oomKilled: e["oomKilled"]?.bool ?? false,
                    startError: e["startError"]?.string)
    }

    public var running: Bool { pid != nil && exit == nil }

    /// Sends a signal to the container's init (which forwards nothing: pid 1 in its namespace decides).
    public func signal(_ sig: Int32) {
        guard running, let pid else { return }
        kill(pid, sig)
    }
}
