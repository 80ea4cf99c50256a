import CEdgeRuntime

/// The C libraries the runtime is built on, as they report themselves.
public enum RuntimeLibraries {
    /// "libseccomp 2.5.4" (the runtime compiles its seccomp profiles with it)
    public static var seccomp: String {
        var buffer = [CChar](repeating: 0, count: 32)
        edge_seccomp_version(&buffer, buffer.count)
        return "libseccomp " + String(cString: buffer)
    }

    /// "glibc 2.36"
    public static var glibc: String { "glibc " + String(cString: edge_glibc_version()) }
}
