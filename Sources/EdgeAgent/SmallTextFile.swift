#if canImport(Glibc)
import Glibc
#endif

/// Reads the small text files the agent learns the host from (/proc, /etc): read with stdio,
/// since /proc files report size 0, and cut at a bound so a surprising file cannot grow the agent.
enum SmallTextFile {
    static func read(_ path: String, limit: Int = 1 << 20) -> String? {
        guard let f = fopen(path, "r") else { return nil }
        defer { fclose(f) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while out.count <= limit {
            let n = fread(&buf, 1, buf.count, f)
            if n <= 0 { break }
            out += buf[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }
}
