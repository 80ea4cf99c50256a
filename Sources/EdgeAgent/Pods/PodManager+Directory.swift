import EdgeAPI
import EdgeRuntime

/// The agent API finds containers, logs and exec targets through the pod manager.
extension PodManager: ContainerDirectory {
    func uid(_ namespace: String, _ pod: String) -> String? {
        informer.get(namespace + "/" + pod)?[path: ["metadata", "uid"]]?.string
            ?? local.withLock { $0.values.first { $0.namespace == namespace && $0.name == pod }?.uid }
    }

    public func containerNames(namespace: String, pod: String) -> [String]? {
        if let p = informer.get(namespace + "/" + pod) {
            return ((p[path: ["spec", "initContainers"]]?.array ?? []) + (p[path: ["spec", "containers"]]?.array ?? [])).compactMap { $0["name"]?.string }
        }
        guard let uid = uid(namespace, pod) else { return nil }
        return PosixFile.list(paths(uid).root + "/containers")
    }

    func attempts(_ uid: String, _ container: String) -> [Int] {
        PosixFile.list(paths(uid).containers(container)).compactMap { Int($0) }.sorted()
    }

    public func logPath(namespace: String, pod: String, container: String, previous: Bool) -> String? {
        guard let uid = uid(namespace, pod) else { return nil }
        let a = attempts(uid, container)
        guard let attempt = previous ? a.dropLast().last : a.last else { return nil }
        let path = paths(uid).log(container, attempt: attempt)
        return PosixFile.exists(path) ? path : nil
    }

    public func isRunning(namespace: String, pod: String, container: String) -> Bool {
        guard let uid = uid(namespace, pod), let last = attempts(uid, container).last else { return false }
        return ContainerRecord.read(paths(uid).container(container, attempt: last)).running
    }

    public func execTarget(namespace: String, pod: String, container: String) -> ExecTarget? {
        guard let uid = uid(namespace, pod), let last = attempts(uid, container).last else { return nil }
        return execTarget(dir: paths(uid).container(container, attempt: last))
    }

    public func networkNamespace(namespace: String, pod: String) -> String? {
        guard let uid = uid(namespace, pod) else { return nil }
        let path = paths(uid).networkNamespace
        return NetworkNamespace.exists(at: path) ? path : nil
    }

    /// The running instance in dir as exec sees it; nil once it ended.
    func execTarget(dir: String) -> ExecTarget? {
        let record = ContainerRecord.read(dir)
        guard record.running, let pid = record.pid, let spec = Shim.spec(dir) else { return nil }
        return ExecTarget(pid: pid, container: spec)
    }
}
