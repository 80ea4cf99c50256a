#if canImport(Glibc)
import Glibc
#endif
import CEdgeBoards

/// Writes a prepared image onto a card (a block device) with progress, then reads the card back
/// and compares. The device must be a whole block device that nothing has mounted.
public enum CardWriter {
    public typealias Failure = FlashSettings.Failure
    static let chunk = 4 << 20

    /// The device's size; refuses anything that is not a block device, is mounted or in use.
    public static func check(device: String, imageSize: Int64, root: HostRoot = HostRoot("/")) throws -> Int64 {
        var st = stat()
        guard stat(device, &st) == 0 else { throw Failure(description: "no device \(device)") }
        guard (st.st_mode & S_IFMT) == S_IFBLK else { throw Failure(description: "\(device) is not a block device (for an image file use --output)") }
        let name = String(device.split(separator: "/").last ?? "")
        for line in (root.read("/proc/self/mounts") ?? "").split(separator: "\n") {
            let source = String(line.split(separator: " ").first ?? "")
            let sourceName = String(source.split(separator: "/").last ?? "")
            if source == device || (sourceName.hasPrefix(name) && sourceName.dropFirst(name.count).allSatisfy { $0.isNumber || $0 == "p" } && source.hasPrefix("/dev/")) {
                throw Failure(description: "\(device) is in use: \(source) is mounted (\(line.split(separator: " ").dropFirst().first ?? "")); unmount it first")
            }
        }
        let fd = open(device, O_RDONLY | O_EXCL | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(description: "cannot open \(device) exclusively (\(String(cString: strerror(errno)))): is it in use?") }
        defer { close(fd) }
        let size = edge_block_device_size(fd)
        guard size >= imageSize else {
            throw Failure(description: "\(device) holds \(ByteSize.human(max(0, size))), the image needs \(ByteSize.human(imageSize))")
        }
        return size
    }

    /// Copies `image` onto `device`, then verifies it by reading back. `progress` gets one line per step.
    public static func write(image: String, device: String, progress: (String) -> Void) throws {
        let src = try ImageFile(path: image)
        let out = open(device, O_WRONLY | O_EXCL | O_CLOEXEC)
        guard out >= 0 else { throw Failure(description: "cannot open \(device) for writing: \(String(cString: strerror(errno)))") }
        var offset: Int64 = 0
        let start = ContinuousClock.now
        var shownPercent = -1
        while offset < src.size {
            let n = Int(min(Int64(chunk), src.size - offset))
            guard let data = src.read(at: offset, count: n) else { close(out); throw Failure(description: "cannot read \(image) at \(offset)") }
            var done = 0
            while done < n {
                let w = data.withUnsafeBytes { pwrite(out, $0.baseAddress! + done, n - done, off_t(offset) + off_t(done)) }
                if w < 0 && errno == EINTR { continue }
                guard w > 0 else { let e = String(cString: strerror(errno)); close(out); throw Failure(description: "writing \(device) failed at byte \(offset + Int64(done)): \(e)") }
                done += w
            }
            offset += Int64(n)
            let percent = Int(offset * 100 / max(1, src.size))
            if percent != shownPercent {
                shownPercent = percent
                progress(line("writing", offset, src.size, since: start))
            }
        }
        progress("syncing \(device) ...")
        guard edge_block_device_flush(out) == 0 || fsync(out) == 0 else { close(out); throw Failure(description: "syncing \(device) failed: \(String(cString: strerror(errno)))") }
        close(out)
        try verify(image: src, device: device, progress: progress)
    }

    /// Reads the card back (its cache dropped first) and compares every byte.
    static func verify(image src: ImageFile, device: String, progress: (String) -> Void) throws {
        let card = try ImageFile(path: device)
        var offset: Int64 = 0
        let start = ContinuousClock.now
        var shownPercent = -1
        while offset < src.size {
            let n = Int(min(Int64(chunk), src.size - offset))
            guard let a = src.read(at: offset, count: n), let b = card.read(at: offset, count: n) else {
                throw Failure(description: "cannot read back \(device) at byte \(offset)")
            }
            guard a == b else { throw Failure(description: "\(device) differs from the image at bytes \(offset)-\(offset + Int64(n)): the card may be failing") }
            offset += Int64(n)
            let percent = Int(offset * 100 / max(1, src.size))
            if percent != shownPercent {
                shownPercent = percent
                progress(line("verifying", offset, src.size, since: start))
            }
        }
    }

    static func line(_ what: String, _ done: Int64, _ total: Int64, since: ContinuousClock.Instant) -> String {
        let elapsed = max(0.001, Double((ContinuousClock.now - since).components.attoseconds) / 1e18 + Double((ContinuousClock.now - since).components.seconds))
        let rate = Int64(Double(done) / elapsed)
        let percent = Int(done * 100 / max(1, total))
        let bar = String(repeating: "#", count: percent / 4) + String(repeating: ".", count: 25 - percent / 4)
        return "\(what) [\(bar)] \(percent)% \(ByteSize.human(done)) of \(ByteSize.human(total)), \(ByteSize.human(rate))/s"
    }
}
