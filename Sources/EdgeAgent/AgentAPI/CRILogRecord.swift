import EdgeAPI

/// One line of a CRI-format log file:
/// `2026-12-01T19:21:28.123456789Z stdout F text`. The tag is F for a full
/// line or P for a partial one that the next record continues (the runtime
/// splits long lines); `content` excludes the line's newline.
struct CRILogRecord: Equatable {
    enum Stream: String { case stdout, stderr }

    var time: Timestamp
    var stream: Stream
    var partial: Bool
    var content: ArraySlice<UInt8>

    /// Parses one line (without its newline); nil for anything malformed, which readers skip as kubelet does.
    init?(line: ArraySlice<UInt8>) {
        guard let sp1 = line.firstIndex(of: 0x20) else { return nil }
        guard let time = Timestamp(rfc3339: String(decoding: line[line.startIndex..<sp1], as: UTF8.self)) else { return nil }
        let afterTime = line.index(after: sp1)
        guard let sp2 = line[afterTime...].firstIndex(of: 0x20),
              let stream = Stream(rawValue: String(decoding: line[afterTime..<sp2], as: UTF8.self)) else { return nil }
        let afterStream = line.index(after: sp2)
        // The tag field may grow ("F:x" in later CRI versions); its first part decides.
        let tagEnd = line[afterStream...].firstIndex(of: 0x20) ?? line.endIndex
        let tag = line[afterStream..<tagEnd].split(separator: 0x3A, omittingEmptySubsequences: false).first ?? []
        guard tag.elementsEqual([0x46]) || tag.elementsEqual([0x50]) else { return nil }
        self.time = time
        self.stream = stream
        self.partial = tag.elementsEqual([0x50])
        self.content = tagEnd < line.endIndex ? line[line.index(after: tagEnd)...] : line[tagEnd...]
    }

    init(time: Timestamp, stream: Stream, partial: Bool, content: ArraySlice<UInt8>) {
        self.time = time
        self.stream = stream
        self.partial = partial
        self.content = content
    }

    /// Only the tag, from the first bytes of a line: what tail needs to count whole lines.
    static func isPartial(linePrefix: ArraySlice<UInt8>) -> Bool? {
        let fields = linePrefix.split(separator: 0x20, maxSplits: 3, omittingEmptySubsequences: false)
        guard fields.count >= 3, let first = fields[2].first else { return nil }
        return first == 0x50
    }
}

extension Timestamp {
    /// RFC 3339 with exactly nine fractional digits, kubelet's timestamps=true form.
    var rfc3339NanoFixed: String {
        var t = rfc3339
        t.removeLast()
        let digits = String(nanoseconds)
        return t + "." + String(repeating: "0", count: max(0, 9 - digits.count)) + digits + "Z"
    }
}
