/// Turns CRI log records into what `kubectl logs` prints: the text of each
/// line, partial records joined with the ones that continue them, an
/// RFC3339Nano prefix per line with timestamps, lines older than `since`
/// left out, and output cut at limitBytes. Pure, so each rule is tested alone.
struct LogRenderer {
    let options: LogOptions
    private(set) var remaining: Int
    /// Per stream: a partial record was seen, so the next one continues that line.
    private var midLine: [CRILogRecord.Stream: Bool] = [:]
    /// Per stream: the line under way started before `since` and is left out whole.
    private var skipping: [CRILogRecord.Stream: Bool] = [:]

    init(options: LogOptions) {
        self.options = options
        remaining = options.limitBytes ?? Int.max
    }

    /// Nothing more may be written (limitBytes reached).
    var exhausted: Bool { remaining <= 0 }

    mutating func render(_ r: CRILogRecord) -> [UInt8] {
        guard !exhausted else { return [] }
        var out: [UInt8] = []
        if !(midLine[r.stream] ?? false) {
            // A line is kept or dropped by the time of its first record.
            skipping[r.stream] = options.since.map { r.time < $0 } ?? false
            if options.timestamps && !(skipping[r.stream] ?? false) { out += Array(r.time.rfc3339NanoFixed.utf8) + [0x20] }
        }
        midLine[r.stream] = r.partial
        if skipping[r.stream] ?? false { return [] }
        out += r.content
        if !r.partial { out.append(0x0A) }
        if out.count > remaining { out.removeLast(out.count - remaining) }
        remaining -= out.count
        return out
    }
}
