import CEdgeRuntime
#if canImport(Glibc)
import Glibc
#endif

/// A pod's network namespace, kept by a bind mount at a path in the pod's directory.
public enum NetworkNamespace {
    public static func create(at path: String) throws {
        var err = [CChar](repeating: 0, count: 512)
        guard edge_netns_create(path, &err, err.count) == 0 else { throw ContainerRunner.Failure(description: String(cString: err)) }
    }

    public static func remove(at path: String) { _ = edge_netns_remove(path) }

    /// True when path holds a live namespace (a bind mount of nsfs), e.g. after an agent restart.
    public static func exists(at path: String) -> Bool {
        edge_netns_exists(path) != 0
    }

    /// A TCP socket inside the namespace (probes reach the pod's own loopback and ports).
    public static func tcpSocket(in path: String, ipv6: Bool = false) -> Int32 {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return -1 }
        defer { close(fd) }
        return edge_netns_socket(fd, ipv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue))
    }
}
