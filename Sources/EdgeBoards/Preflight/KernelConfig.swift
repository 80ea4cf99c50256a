/// The running kernel's build configuration: /proc/config.gz (CONFIG_IKCONFIG_PROC, as Raspberry
/// Pi kernels have), else /boot/config-RELEASE (Debian, Ubuntu, Armbian).
struct KernelConfig {
    /// CONFIG_X → "y", "m" or "n" (for "# CONFIG_X is not set").
    var options: [String: String]
    var source: String

    static func load(_ root: HostRoot, release: String) -> KernelConfig? {
        if let gz = root.readBytes("/proc/config.gz", limit: 4 << 20), let text = Gunzip.inflate(gz) {
            return KernelConfig(text: String(decoding: text, as: UTF8.self), source: "/proc/config.gz")
        }
        for path in ["/boot/config-" + release, "/lib/modules/\(release)/config"] {
            if let text = root.read(path, limit: 8 << 20) { return KernelConfig(text: text, source: path) }
        }
        return nil
    }

    init(text: String, source: String) {
        self.source = source
        var o: [String: String] = [:]
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters
            if line.hasPrefix("# CONFIG_"), line.hasSuffix(" is not set") {
                o[String(line.dropFirst(2).dropLast(" is not set".count))] = "n"
            } else if line.hasPrefix("CONFIG_"), let eq = line.firstIndex(of: "=") {
                o[String(line[..<eq])] = String(line[line.index(after: eq)...])
            }
        }
        options = o
    }

    /// y, m, or n; n also for options the file does not mention.
    func value(_ option: String) -> String { options[option] ?? "n" }
}

extension Substring {
    var trimmingCharacters: String { String(self).trimmingSpaces }
}
