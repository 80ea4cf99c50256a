/// A TLS or PKI failure, with mbedtls's own words for what went wrong.
public struct TLSError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Calls a C function in the shim's `(..., err, errlen)` style.
func withErrorBuffer<T>(_ body: (UnsafeMutablePointer<CChar>, Int) -> T) -> (T, String) {
    var buf = [CChar](repeating: 0, count: 512)
    let r = buf.withUnsafeMutableBufferPointer { body($0.baseAddress!, $0.count) }
    return (r, String(cString: buf))
}

/// Takes ownership of a malloc'd C string from the shim.
func takeString(_ p: UnsafeMutablePointer<CChar>?) -> String {
    guard let p else { return "" }
    defer { free(p) }
    return String(cString: p)
}

#if canImport(Glibc)
import Glibc
#endif
