import EdgeAPI
import Synchronization

/// Runs the startup, liveness and readiness probes of each running container
/// instance on tasks of their own, keeps their verdicts, and tells the pod's
/// sync when a verdict changes.
final class ProbeManager: Sendable {
    struct Entry {
        var tasks: [Task<Void, Never>]
        var result: ProbeResult
    }

    private let entries = Mutex<[String: Entry]>([:])
    let changed: @Sendable (_ podKey: String) -> Void
    let report: @Sendable (_ podKey: String, _ container: String, _ message: String) -> Void

    init(changed: @escaping @Sendable (String) -> Void, report: @escaping @Sendable (String, String, String) -> Void) {
        self.changed = changed
        self.report = report
    }

    /// The verdict for an instance id ("uid/name/attempt"); without probes it is ready and started.
    func result(_ id: String, container: JSON) -> ProbeResult {
        entries.withLock { $0[id]?.result } ?? ProbeResult(ready: container["readinessProbe"] == nil,
                                                             started: container["startupProbe"] == nil, failedProbe: nil)
    }

    func isProbing(_ id: String) -> Bool { entries.withLock { $0[id] != nil } }

    /// Starts probing a running instance once; later calls do nothing.
    func ensure(_ id: String, podKey: String, container: JSON, runner: ProbeRunner) {
        let startup = container["startupProbe"], liveness = container["livenessProbe"], readiness = container["readinessProbe"]
        guard startup != nil || liveness != nil || readiness != nil else { return }
        let isNew = entries.withLock { e -> Bool in
            guard e[id] == nil else { return false }
            e[id] = Entry(tasks: [], result: ProbeResult(ready: readiness == nil, started: startup == nil, failedProbe: nil))
            return true
        }
        guard isNew else { return }
        let name = container["name"]?.string ?? ""
        var tasks: [Task<Void, Never>] = []
        for (kind, probe) in [("Startup", startup), ("Liveness", liveness), ("Readiness", readiness)] {
            guard let probe else { continue }
            tasks.append(Task { await self.loop(id, podKey: podKey, container: name, kind: kind, probe: probe, runner: runner) })
        }
        entries.withLock { $0[id]?.tasks = tasks }
    }

    func stop(_ id: String) {
        let e = entries.withLock { $0.removeValue(forKey: id) }
        e?.tasks.forEach { $0.cancel() }
    }

    /// Stops every instance whose id starts with prefix (a pod's uid).
    func stopAll(prefix: String) {
        let ids = entries.withLock { Array($0.keys.filter { $0.hasPrefix(prefix) }) }
        ids.forEach(stop)
    }

    private func update(_ id: String, podKey: String, _ change: (inout ProbeResult) -> Void) {
        let moved = entries.withLock { e -> Bool in
            guard var entry = e[id] else { return false }
            let before = entry.result
            change(&entry.result)
            e[id] = entry
            return before != entry.result
        }
        if moved { changed(podKey) }
    }

    private func current(_ id: String) -> ProbeResult? { entries.withLock { $0[id]?.result } }

    private func loop(_ id: String, podKey: String, container: String, kind: String, probe: JSON, runner: ProbeRunner) async {
        // Probe fields are int32 upstream; objects stored before decoding checked that may hold more.
        // Sleeps are clamped (Task.sleep traps past Int64 seconds from now).
        let period = Duration.seconds(clamping: max(1, probe["periodSeconds"]?.int ?? 10))
        let successThreshold = max(1, probe["successThreshold"]?.int ?? 1)
        let failureThreshold = max(1, probe["failureThreshold"]?.int ?? 3)
        try? await Task.sleep(for: .seconds(clamping: probe["initialDelaySeconds"]?.int ?? 0))
        var successes: Int64 = 0, failures: Int64 = 0
        while !Task.isCancelled {
            guard let now = current(id) else { return }
            if kind == "Startup" && now.started { return }
            // Liveness and readiness wait until the startup probe has passed.
            if kind != "Startup" && !now.started {
                try? await Task.sleep(for: .milliseconds(500))
                continue
            }
            let outcome = await runner.run(probe)
            if Task.isCancelled { return }
            switch outcome {
            case .success:
                successes += 1
                failures = 0
                if kind == "Readiness" && successes >= successThreshold { update(id, podKey: podKey) { $0.ready = true } }
                if kind == "Startup" { update(id, podKey: podKey) { $0.started = true }; return }
            case .failure(let why):
                failures += 1
                successes = 0
                report(podKey, container, "\(kind) probe failed: \(why)")
                if failures >= failureThreshold {
                    switch kind {
                    case "Readiness": update(id, podKey: podKey) { $0.ready = false }
                    default:
                        update(id, podKey: podKey) { $0.failedProbe = "Container \(container) failed \(kind.lowercased()) probe, will be restarted" }
                        return
                    }
                }
            }
            try? await Task.sleep(for: period)
        }
    }
}
