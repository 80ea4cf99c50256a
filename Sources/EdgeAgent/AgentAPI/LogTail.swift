#if canImport(Glibc)
import Glibc
#endif

/// Where the last N whole lines of a CRI log file begin, found by reading
/// backwards in blocks so a long log is not read through. A line is whole at
/// its F record; P records before it belong to it. An unfinished last line
/// (no newline yet) is not counted.
enum LogTail {
    static let blockSize = 64 * 1024

    static func startOffset(fd: Int32, size: Int64, lines: Int) -> Int64 {
        if lines <= 0 { return size }
        var block = [UInt8](repeating: 0, count: blockSize)
        var lineEnd: Int64? // offset of the newline ending the line being walked back over
        var wholeLines = 0
        var blockStart = size
        while blockStart > 0 {
            let len = Int(min(Int64(blockSize), blockStart))
            blockStart -= Int64(len)
            let n = block.withUnsafeMutableBytes { pread(fd, $0.baseAddress, len, off_t(blockStart)) }
            guard n == len else { return 0 }
            var i = len - 1
            while i >= 0 {
                if block[i] == 0x0A {
                    let newline = blockStart + Int64(i)
                    if let end = lineEnd {
                        // The line (newline+1 ... end] is complete: is it the (N+1)th whole line from the end?
                        if isWholeLine(fd: fd, at: newline + 1) {
                            wholeLines += 1
                            if wholeLines > lines { return end + 1 }
                        }
                    }
                    lineEnd = newline
                }
                i -= 1
            }
        }
        if let end = lineEnd, isWholeLine(fd: fd, at: 0) {
            wholeLines += 1
            if wholeLines > lines { return end + 1 }
        }
        return 0
    }

    /// The record starting at `offset` ends a line (tag F); malformed records count as whole.
    static func isWholeLine(fd: Int32, at offset: Int64) -> Bool {
        var head = [UInt8](repeating: 0, count: 64)
        let n = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 64, off_t(offset)) }
        guard n > 0 else { return true }
        return !(CRILogRecord.isPartial(linePrefix: head[0..<n]) ?? false)
    }
}
