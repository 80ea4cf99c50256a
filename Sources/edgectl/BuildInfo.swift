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
    static let machine = "aarch64 (64-bit)"
    #elseif arch(arm)
    static let arch = "arm"
    static let machine = "armv7 (32-bit)"
    #elseif arch(x86_64)
    static let arch = "amd64"
    static let machine = "x86_64 (64-bit)"
    #else
    static let arch = "unknown"
    static let machine = "unknown"
    #endif
    static let kubernetesVersion = "v1.37.0"

    /// The Swift compiler that built this binary. `#if compiler` can only compare, so
    /// this is a ladder over the releases the project builds with (6.3.x on the
    /// build machine, Debian's 6.2.3 for the boards).
    static let compiler: String = {
        #if compiler(>=6.4)
        return "Swift 6.4 or later"
        #elseif compiler(>=6.3.3)
        return "Swift 6.3.3 or later"
        #elseif compiler(>=6.3.2)
        return "Swift 6.3.2"
        #elseif compiler(>=6.3.1)
        return "Swift 6.3.1"
        #elseif compiler(>=6.3)
        return "Swift 6.3"
        #elseif compiler(>=6.2.4)
        return "Swift 6.2.4"
        #elseif compiler(>=6.2.3)
        return "Swift 6.2.3"
        #elseif compiler(>=6.2)
        return "Swift 6.2"
        #else
        return "Swift 6.1 or earlier"
        #endif
    }()

    /// What the Node reports as its kubelet version: the Kubernetes API level with this build as
    /// semver build metadata (k3s writes v1.30.2+k3s1), so `kubectl get nodes` shows each node's build.
    static var kubeletVersion: String { kubernetesVersion + "+edgectl-" + version }
}
