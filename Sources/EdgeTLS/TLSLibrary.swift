import CMbedTLS

/// The TLS library linked into edgectl.
public enum TLSLibrary {
    /// "mbedtls 3.6.4"
    public static var version: String { "mbedtls " + String(cString: edge_mbedtls_version()) }
}
