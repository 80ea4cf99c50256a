import EdgeRuntime
import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// Connects to a port on the pod's own loopback: the socket is made inside
/// the pod's network namespace (by the runtime's C helper, on a thread of its
/// own), connected there, then handed to NIO. hostNetwork pods' namespace is
/// the node's, so the same path reaches the node's loopback for them.
enum PodPortDialer {
    struct Failure: Error, CustomStringConvertible { var description: String }

    static func dialer(netns: String) -> PortDialer {
        { port, loop in
            let fd = connect(netns: netns, port: port)
            guard fd.fd >= 0 else {
                return loop.makeFailedFuture(Failure(description: "failed to connect to localhost:\(port) inside the pod's network namespace: \(fd.error)"))
            }
            return ClientBootstrap(group: loop)
                .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
                .withConnectedSocket(fd.fd)
        }
    }

    /// A connected socket, or -1 and why. Loopback answers at once; the wait is bounded anyway.
    static func connect(netns: String, port: Int) -> (fd: Int32, error: String) {
        let fd = NetworkNamespace.tcpSocket(in: netns)
        guard fd >= 0 else { return (-1, "cannot enter the pod's network namespace (\(String(cString: strerror(errno))))") }
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(clamping: port).bigEndian)
        addr.sin_addr.s_addr = in_addr_t(0x7f00_0001).bigEndian
        var rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var err = rc == 0 ? 0 : errno
        if rc != 0 && err == EINPROGRESS {
            var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            var len = socklen_t(MemoryLayout<Int32>.size)
            if poll(&pfd, 1, 5000) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0 { rc = 0 } else if err == EINPROGRESS || err == 0 { err = ETIMEDOUT }
        }
        guard rc == 0 else {
            close(fd)
            return (-1, String(cString: strerror(err)).lowercased())
        }
        return (fd, "")
    }
}
