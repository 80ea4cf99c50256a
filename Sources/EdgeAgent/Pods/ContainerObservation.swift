import EdgeAPI
import EdgeRuntime

/// What the agent knows of one pod container at a sync: its latest instance
/// on disk, the one before, and why it is waiting if it is not running.
struct ContainerObservation: Sendable {
    var name: String
    var image: String
    var imageID: String = ""
    /// The newest instance; its attempt number is the restart count.
    var current: ContainerRecord?
    var attempt: Int = 0
    var previous: ContainerRecord?
    var waiting: (reason: String, message: String)?
    var ready = false
    var started = false
    var podUID: String

    var running: Bool { current?.running ?? false }
    var exitedOK: Bool { current?.exit.map { $0.exitCode == 0 && $0.startError == nil } ?? false }
    var exitedFailed: Bool { current?.exit.map { $0.exitCode != 0 || $0.startError != nil } ?? false }

    static func containerID(uid: String, name: String, attempt: Int) -> String { "edgectl://\(uid)-\(name)-\(attempt)" }

    func terminated(_ r: ContainerRecord, attempt: Int) -> JSON? {
        guard let e = r.exit else { return nil }
        let reason = e.startError != nil ? "StartError" : e.oomKilled ? "OOMKilled" : e.exitCode == 0 ? "Completed" : "Error"
        var t: JSON = ["exitCode": .int(Int64(e.exitCode)), "reason": .string(reason), "finishedAt": .string(e.finishedAt),
                       "startedAt": .string(r.startedAt ?? e.finishedAt),
                       "containerID": .string(Self.containerID(uid: podUID, name: name, attempt: attempt))]
        if e.signal != 0 { t["signal"] = .int(Int64(e.signal)) }
        if let m = e.startError { t["message"] = .string(m) }
        else if let m = PosixFile.readTail(r.dir + "/termination-log", max: 4096), !m.isEmpty {
            t["message"] = .string(String(decoding: m, as: UTF8.self))
        }
        return ["terminated": t]
    }

    /// The containerStatuses entry, shaped as upstream's.
    var status: JSON {
        var s: JSON = ["name": .string(name), "image": .string(image), "imageID": .string(imageID),
                       "ready": .bool(ready), "started": .bool(started && running), "restartCount": .int(Int64(attempt))]
        var last: JSON = [:]
        if let cur = current, cur.running {
            s["state"] = ["running": ["startedAt": .string(cur.startedAt ?? Timestamp.now().rfc3339)]]
            if let p = previous, let t = terminated(p, attempt: attempt - 1) { last = t }
            s["containerID"] = .string(Self.containerID(uid: podUID, name: name, attempt: attempt))
        } else if let w = waiting {
            var wj: JSON = ["reason": .string(w.reason)]
            if !w.message.isEmpty { wj["message"] = .string(w.message) }
            s["state"] = ["waiting": wj]
            if let cur = current, let t = terminated(cur, attempt: attempt) { last = t }
        } else if let cur = current, let t = terminated(cur, attempt: attempt) {
            s["state"] = t
            if let p = previous, let pt = terminated(p, attempt: attempt - 1) { last = pt }
            s["containerID"] = .string(Self.containerID(uid: podUID, name: name, attempt: attempt))
        } else {
            s["state"] = ["waiting": ["reason": "ContainerCreating"]]
        }
        s["lastState"] = last
        return s
    }
}
