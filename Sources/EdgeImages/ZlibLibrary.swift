import CZlib

/// The zlib linked into edgectl (layer decompression).
public enum ZlibLibrary {
    /// "zlib 1.2.13"
    public static var version: String { "zlib " + String(cString: zlibVersion()) }
}
