import EdgeStore

/// Compacts the store every minute to the revision it had 5 minutes before,
/// so watches and paged lists can resume within that window (older ones get
/// 410 Gone) and history never grows without bound.
struct StoreMaintenance: Sendable {
    let backend: any Backend
    var interval: Duration = .seconds(60)
    var retention: Int = 5

    func run() async {
        var samples: [Int64] = []
        while !Task.isCancelled {
            if let rev = try? await backend.currentRevision() {
                samples.append(rev)
                if samples.count > retention {
                    let target = samples.removeFirst()
                    try? await backend.compact(revision: target)
                }
            }
            try? await Task.sleep(for: interval)
        }
    }
}
