#if canImport(Glibc)
import Glibc
#endif

/// File modes of projected volume files (defaultMode, items[].mode): upstream
/// validates 0...0777; a value outside that (an object stored before
/// validation did) gets the default instead of trapping the agent's conversion.
enum VolumeFileMode {
    static func mode(_ v: Int64?, default fallback: mode_t = 0o644) -> mode_t {
        guard let v, (0...0o777).contains(v) else { return fallback }
        return mode_t(v)
    }
}
