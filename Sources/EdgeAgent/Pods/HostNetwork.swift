import EdgeRuntime
#if canImport(Glibc)
import Glibc
#endif

/// hostNetwork pods share the agent's own network namespace; a bind mount of
/// it at the pod's netns path lets every container join it the same way.
enum HostNetwork {
    static func bind(at path: String) throws {
        let fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0o444)
        if fd >= 0 { close(fd) }
        guard mount("/proc/self/ns/net", path, "none", UInt(MS_BIND), nil) == 0 else {
            throw ContainerRunner.Failure(description: "failed to bind the host network namespace at \(path): \(String(cString: strerror(errno)))")
        }
    }
}
