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
    /// The container init's start time (with the pid, its identity across pid reuse).
    public var startTicks: UInt64?
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
            r.startTicks = s["startTicks"]?.int.map { UInt64($0) }
            // The container's init gone with no exit.json: its supervisor reaps it and then writes exit.json, so while
            // the supervisor lives the ending is in progress and the record still says running (concluding now would
            // report a clean exit as killed, and a finished pod's phase never changes again). Only with the supervisor
            // gone too (a reboot, a killed shim) is the exit lost, and reported as upstream reports an unknown end.
            if let pid = r.pid, let ticks = r.startTicks, r.exitRecord == nil, edge_process_alive(pid, ticks) == 0,
               !supervisorAlive(s) {
                r.exit = Exit(exitCode: 137, signal: 9, finishedAt: Timestamp.now().rfc3339, oomKilled: false, startError: nil)
            }
        }
        if let e = r.exitRecord { r.exit = e }
        return r
    }

    /// The supervisor of state.json `s` still runs. Records from before shimStartTicks was kept count as without one:
    /// a bare pid may name some other process after a reboot, and the container would then read as running forever.
    static func supervisorAlive(_ s: JSON) -> Bool {
        guard let shim = s["shimPid"]?.int, shim > 0, let ticks = s["shimStartTicks"]?.int, ticks > 0 else { return false }
        return edge_process_alive(Int32(shim), UInt64(ticks)) == 1
    }

    var exitRecord: Exit? {
        guard let e = PosixFile.readJSON(Shim.exitPath(dir)) else { return nil }
        return Exit(exitCode: Int32(e["exitCode"]?.int ?? 0), signal: Int32(e["signal"]?.int ?? 0),
                    finishedAt: e["finishedAt"]?.string ?? Timestamp.now().rfc3339, oomKilled: e["oomKilled"]?.bool ?? false,
                    startError: e["startError"]?.string)
    }

    public var running: Bool { pid != nil && exit == nil }
    /// The supervisor answered for this instance: it started (state.json) or ended (exit.json). A directory
    /// alone is a start still being made, or one the agent stopped in the middle of.
    public var reported: Bool { pid != nil || exit != nil }

    /// Sends a signal to the container's init (which forwards nothing: pid 1 in its namespace decides).
    public func signal(_ sig: Int32) {
        guard running, let pid, edge_process_alive(pid, startTicks ?? 0) == 1 else { return }
        kill(pid, sig)
    }
}
