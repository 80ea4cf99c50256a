#if canImport(Glibc)
import Glibc
#endif

/// A failed netlink request or system call: errno plus what was being done,
/// e.g. "creating vxlan device edge.1: Operation not supported (Unknown device type)".
public struct NetworkError: Error, CustomStringConvertible, Sendable {
    public var code: Int32
    public var description: String

    public init(code: Int32, _ description: String) {
        self.code = code
        self.description = description
    }

    public init(_ description: String) {
        self.init(code: EIO, description)
    }

    public var isNotFound: Bool { code == ENODEV || code == ENOENT || code == ESRCH || code == EADDRNOTAVAIL }
    public var isExists: Bool { code == EEXIST }
    /// The kernel lacks a device type (a module missing: bridge, veth, vxlan).
    public var isUnsupported: Bool { code == EOPNOTSUPP || code == EAFNOSUPPORT || code == EPROTONOSUPPORT }
}
