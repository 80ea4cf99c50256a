/// Where a pod lives on the node. Everything the agent must know after a
/// restart is in these directories, so the directory tree is the truth.
struct PodPaths: Sendable {
    let root: String
    let uid: String

    init(podsRoot: String, uid: String) {
        root = podsRoot + "/" + uid
        self.uid = uid
    }

    var metadata: String { root + "/pod.json" }
    var networkNamespace: String { root + "/netns" }
    var volumes: String { root + "/volumes" }
    func volume(_ name: String) -> String { volumes + "/" + name }
    var etcHosts: String { root + "/etc-hosts" }
    var etcHostname: String { root + "/etc-hostname" }
    var resolvConf: String { root + "/resolv.conf" }
    /// What the pod network set up for the pod (PodNetworkAttachment), for tear-down and after a restart.
    var networkAttachment: String { root + "/network.json" }
    func containers(_ name: String) -> String { root + "/containers/" + name }
    func container(_ name: String, attempt: Int) -> String { containers(name) + "/\(attempt)" }
    func logs(_ name: String) -> String { root + "/logs/" + name }
    func log(_ name: String, attempt: Int) -> String { logs(name) + "/\(attempt).log" }
    func terminationLog(_ name: String, attempt: Int) -> String { container(name, attempt: attempt) + "/termination-log" }
    /// Each pod gets a cgroup of its own; each container instance one below it.
    var cgroup: String { "edgectl/pod" + uid }
    func cgroup(_ name: String, attempt: Int) -> String { cgroup + "/\(name)-\(attempt)" }
}
