/// `edgectl preflight` and the checks server and agent run before they start. Each failure names
/// its fix; errors stop a start unless named in --ignore-preflight-errors (kubeadm's flag).
public enum Preflight {
    public static func run(_ env: PreflightEnvironment) -> PreflightReport {
        // A server without its local agent runs no containers: the kernel's version is all it needs of the kernel.
        let kernel = env.runsPods ? KernelChecks.run(env) : [KernelChecks.version(env.root.line("/proc/sys/kernel/osrelease") ?? "unknown")]
        return PreflightReport(results: kernel + (env.runsPods ? CgroupChecks.run(env) : []) + HostChecks.run(env))
    }
}
