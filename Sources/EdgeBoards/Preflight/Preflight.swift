/// `edgectl preflight` and the checks server and agent run before they start. Each failure names
/// its fix; errors stop a start unless named in --ignore-preflight-errors (kubeadm's flag).
public enum Preflight {
    public static func run(_ env: PreflightEnvironment) -> PreflightReport {
        PreflightReport(results: KernelChecks.run(env) + CgroupChecks.run(env) + HostChecks.run(env))
    }
}
