/// Memory a board keeps for its OS and edgectl itself (kubelet's system-reserved plus kube-reserved),
/// written `128Mi + 5%`: a fixed part and a share of the board's memory, so one profile fits
/// every memory variant of a board (a 1 GB and an 8 GB Raspberry Pi 4 need different amounts).
public struct ReservedMemory: Sendable, Equatable, CustomStringConvertible {
    public var fixedBytes: Int64
    public var percent: Int64

    public init(fixedBytes: Int64, percent: Int64) {
        self.fixedBytes = fixedBytes
        self.percent = percent
    }

    /// `128Mi`, `5%`, or `128Mi + 5%`; the share is 0-50%.
    public init?(_ text: String) {
        var fixed: Int64 = 0, pct: Int64 = 0
        let parts = text.split(separator: "+").map { String($0).trimmingSpaces }
        guard (1...2).contains(parts.count) else { return nil }
        for p in parts {
            if p.hasSuffix("%") {
                guard pct == 0, let v = Int64(p.dropLast()), (0...50).contains(v) else { return nil }
                pct = v
            } else {
                guard fixed == 0, let v = ByteSize.parse(p) else { return nil }
                fixed = v
            }
        }
        self.init(fixedBytes: fixed, percent: pct)
    }

    /// Bytes reserved on a machine with `capacity` bytes of memory; never more than the capacity.
    public func bytes(capacity: Int64) -> Int64 {
        let share = capacity > 0 ? capacity / 100 * percent : 0
        let (sum, overflow) = fixedBytes.addingReportingOverflow(share)
        return min(overflow ? Int64.max : sum, max(0, capacity))
    }

    public var description: String {
        switch (fixedBytes, percent) {
        case (_, 0): return ByteSize.format(fixedBytes)
        case (0, _): return "\(percent)%"
        default: return "\(ByteSize.format(fixedBytes)) + \(percent)%"
        }
    }
}
