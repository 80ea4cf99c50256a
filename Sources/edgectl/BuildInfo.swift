import EdgeAPI
#if canImport(Glibc)
import Glibc
#endif

enum BuildInfo {
    static let builtVersion = "0.1.0"
    /// This build's version. EDGECTL_BUILD_VERSION makes a binary act as another build, so the
    /// upgrade and version-skew tests have a "new build" without compiling the project twice.
    static let version: String = {
        if let v = getenv("EDGECTL_BUILD_VERSION").map({ String(cString: $0) }), EdgectlVersion(v) != nil { return v }
        return builtVersion
    }()
    #if arch(arm64)
    static let arch = "arm64"
    #elseif arch(arm)
    static let arch = "arm"
    #elseif arch(x86_64)
    static let arch = "amd64"
    #else
    static let arch = "unknown"
    #endif
    static let kubernetesVersion = "v1.37.0"
    /// What the Node reports as its kubelet version: the Kubernetes API level with this build as
    /// semver build metadata (k3s writes v1.30.2+k3s1), so `kubectl get nodes` shows each node's build.
    static var kubeletVersion: String { kubernetesVersion + "+edgectl-" + version }
}
