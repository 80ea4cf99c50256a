import EdgeRuntime

/// One mapping between what a container was started with, what exec needs
/// to know of it, and the runtime's exec spec: the agent API's sessions and
/// the pod manager's probes and hooks all go through it.
extension ExecTarget {
    public init(pid: Int32, container spec: ContainerSpec) {
        self.init(pid: pid, uid: spec.uid, gid: spec.gid, supplementalGroups: spec.supplementalGroups, capabilities: spec.capabilities,
                  seccompRuntimeDefault: spec.seccompRuntimeDefault, env: spec.env, workingDir: spec.workingDir, cgroup: spec.cgroup)
    }

    /// The runtime's spec for running command in this container (stdout and stderr piped, no tty).
    public func execSpec(_ command: [String]) -> ContainerExec.Spec {
        var spec = ContainerExec.Spec(containerPID: pid, args: command)
        spec.env = env
        spec.workingDir = workingDir
        spec.uid = uid
        spec.gid = gid
        spec.supplementalGroups = supplementalGroups
        spec.capabilities = capabilities
        spec.seccompRuntimeDefault = seccompRuntimeDefault
        spec.cgroup = cgroup
        return spec
    }
}
