import EdgeAPI
import EdgeRuntime

extension PodManager {
    /// One housekeeping tick's share of image GC: usually nothing, sometimes a statvfs,
    /// rarely a collection, told in the log and, when it falls short, as Node events.
    func collectImagesIfDue(_ gc: ImageGCManager) async {
        guard let outcome = await gc.runIfDue(now: .now, imagesInUse: imagesInUse),
              let report = ImageGCReport(outcome, policy: gc.policy) else { return }
        gc.log(report.logLine)
        if let reason = report.eventReason, let message = report.eventMessage {
            await events.record(nodeReference, type: "Warning", reason: reason, message: message)
        }
    }

    /// kubelet's nodeRef: events about the node carry its name as uid.
    var nodeReference: JSON {
        ["apiVersion": "v1", "kind": "Node", "metadata": ["name": .string(config.nodeName), "uid": .string(config.nodeName)]]
    }

    /// Images every pod bound here names (whatever its phase: a finished pod's containers stay
    /// for logs until it is deleted), and the images and layers of every container instance on
    /// disk, including those of pods the API no longer has that are still being torn down.
    func imagesInUse() -> ImagesInUse {
        var inUse = ImagesInUse()
        for pod in informer.list() {
            for c in PodContainers.all(of: pod) {
                if let image = c["image"]?.string, !image.isEmpty { inUse.references.insert(image) }
            }
        }
        for uid in PosixFile.list(podsRoot) {
            let p = paths(uid)
            for name in PosixFile.list(p.root + "/containers") {
                for attempt in PosixFile.list(p.containers(name)) {
                    guard let record = ContainerImageRecord.read(containerDir: p.containers(name) + "/" + attempt) else { continue }
                    inUse.references.insert(record.reference)
                    inUse.layers.formUnion(record.layers)
                }
            }
        }
        return inUse
    }
}
