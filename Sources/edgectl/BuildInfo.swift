enum BuildInfo {
    static let version = "0.1.0"
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
}
