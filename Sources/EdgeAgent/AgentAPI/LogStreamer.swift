#if canImport(Glibc)
import Glibc
#endif

/// Reads one container's CRI log file and emits rendered chunks: from the tail
/// start (or the beginning), to the end as it was when opened, or with follow
/// on as the file grows, until the container is no longer running and the
/// file is drained, or the reader is cancelled (the client went away).
struct LogStreamer: Sendable {
    let path: String
    let options: LogOptions
    /// Asked at each end of file while following.
    let isRunning: @Sendable () -> Bool
    var pollInterval: Duration = .milliseconds(200)

    func run(emit: ([UInt8]) async throws -> Void) async throws {
        var fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw AgentAPIError(status: 500, message: "failed to open log file \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw AgentAPIError(status: 500, message: "failed to stat log file \(path)") }
        let sizeAtOpen = Int64(st.st_size)
        var offset = options.tailLines.map { LogTail.startOffset(fd: fd, size: sizeAtOpen, lines: $0) } ?? 0
        var renderer = LogRenderer(options: options)
        var pending: [UInt8] = []
        var block = [UInt8](repeating: 0, count: 64 * 1024)
        var runningAtLastCheck = true
        while !Task.isCancelled {
            // Without follow, what was there when the request came is the answer.
            let want = options.follow ? block.count : Int(min(Int64(block.count), sizeAtOpen - offset))
            let n = want > 0 ? block.withUnsafeMutableBytes { pread(fd, $0.baseAddress, want, off_t(offset)) } : 0
            if n < 0 {
                if errno == EINTR { continue }
                throw AgentAPIError(status: 500, message: "failed to read log file \(path)")
            }
            if n > 0 {
                offset += Int64(n)
                pending += block[0..<n]
                let out = Self.renderLines(&pending, &renderer)
                if !out.isEmpty { try await emit(out) }
                if renderer.exhausted { return }
                continue
            }
            if !options.follow || !runningAtLastCheck {
                // A last record without its newline (the writer stopped mid-line) is still shown.
                if !pending.isEmpty, let r = CRILogRecord(line: pending[...]) {
                    let out = renderer.render(r)
                    if !out.isEmpty { try await emit(out) }
                }
                return
            }
            // Rotated (the supervisor renamed the file to .1 and writes a new one): follow the new file.
            if let next = Self.reopenIfRotated(path, fd) {
                close(fd)
                fd = next
                offset = 0
                continue
            }
            // Checked before the next read, so what the container wrote before it stopped is drained.
            runningAtLastCheck = isRunning()
            if runningAtLastCheck { try await Task.sleep(for: pollInterval) }
        }
    }

    /// After a rotation (the supervisor renamed LOG to LOG.1, LOG.1 to LOG.2 ...), the file written
    /// right after the one `fd` reads: if ours is now LOG.k, that is LOG.(k-1), or LOG itself for k = 1.
    /// So a follower that fell behind by several rotations reads each file in turn instead of
    /// jumping to the newest and losing the ones between. nil: not rotated.
    static func reopenIfRotated(_ path: String, _ fd: Int32) -> Int32? {
        var cur = stat(), now = stat()
        guard fstat(fd, &cur) == 0, stat(path, &now) == 0, cur.st_ino != now.st_ino || cur.st_dev != now.st_dev else { return nil }
        var k = 1
        while k <= 100 {
            var s = stat()
            if stat("\(path).\(k)", &s) != 0 { break }            // ours is gone (rotated out): k - 1 is the oldest left
            if s.st_ino == cur.st_ino && s.st_dev == cur.st_dev { break }
            k += 1
        }
        let next = open(k <= 1 ? path : "\(path).\(k - 1)", O_RDONLY | O_CLOEXEC)
        return next >= 0 ? next : nil
    }

    /// Renders the complete lines in `pending`, leaving an unfinished one there.
    static func renderLines(_ pending: inout [UInt8], _ renderer: inout LogRenderer) -> [UInt8] {
        var out: [UInt8] = []
        var start = 0
        while let nl = pending[start...].firstIndex(of: 0x0A) {
            if let r = CRILogRecord(line: pending[start..<nl]) { out += renderer.render(r) }
            start = nl + 1
            if renderer.exhausted { break }
        }
        pending.removeFirst(start)
        return out
    }
}
