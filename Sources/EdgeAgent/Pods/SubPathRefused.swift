/// A volumeMount's subPath that cannot be used: it leads out of its volume (a symlink, "..", an absolute
/// path) or cannot be made. The container waits in CreateContainerConfigError with upstream's message,
/// which names no host path; the detail goes to the pod's Warning event.
struct SubPathRefused: Error, CustomStringConvertible {
    let volumeMount: String
    let container: String
    let detail: String

    var description: String { "failed to prepare subPath for volumeMount \"\(volumeMount)\" of container \"\(container)\"" }
}
