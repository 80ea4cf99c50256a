/// A domain name as its labels, compared case-insensitively (ASCII), as DNS does.
struct DNSName: Hashable, Sendable, CustomStringConvertible {
    /// Labels, lowercased for comparison; the root name has none.
    private(set) var labels: [[UInt8]]

    init(labels: [[UInt8]]) { self.labels = labels.map(Self.lower) }

    /// From dotted text (a trailing dot optional); nil for an empty label or over-long parts.
    init?(_ text: String) {
        var t = Substring(text)
        if t.hasSuffix(".") { t = t.dropLast() }
        if t.isEmpty { labels = []; return }
        var out: [[UInt8]] = []
        var total = 1
        for part in t.split(separator: ".", omittingEmptySubsequences: false) {
            let b = Array(part.utf8)
            guard !b.isEmpty, b.count <= 63 else { return nil }
            total += b.count + 1
            out.append(Self.lower(b))
        }
        guard total <= 255 else { return nil }
        labels = out
    }

    static func lower(_ b: [UInt8]) -> [UInt8] { b.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 } }

    var description: String { labels.isEmpty ? "." : labels.map { String(decoding: $0, as: UTF8.self) }.joined(separator: ".") + "." }

    /// Bytes on the wire without compression.
    var wireLength: Int { labels.reduce(1) { $0 + $1.count + 1 } }

    func hasSuffix(_ zone: DNSName) -> Bool {
        labels.count >= zone.labels.count && Array(labels.suffix(zone.labels.count)) == zone.labels
    }

    /// The labels in front of `zone` (which must be a suffix), as text.
    func relative(to zone: DNSName) -> [String] {
        labels.prefix(labels.count - zone.labels.count).map { String(decoding: $0, as: UTF8.self) }
    }

    func appending(_ zone: DNSName) -> DNSName { DNSName(labels: labels + zone.labels) }

    static func + (l: [String], zone: DNSName) -> DNSName { DNSName(labels: l.map { Array($0.utf8) } + zone.labels) }
}
