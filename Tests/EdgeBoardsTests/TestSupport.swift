import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import EdgeBoards

/// A temporary directory tree standing in for a host's root (fake /proc, /sys, /etc) or a work dir; removed at deinit.
final class FakeTree {
    let path: String

    init() {
        var template = Array("/tmp/edgeboards-test-XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
    }

    deinit { _ = try? Subprocess.run(["rm", "-rf", "--one-file-system", path]) }

    var root: HostRoot { HostRoot(path) }

    /// Writes `text` at `relative` (parents made), with `mode`.
    @discardableResult
    func write(_ relative: String, _ text: String, mode: mode_t = 0o644) -> String {
        writeBytes(relative, Array(text.utf8), mode: mode)
    }

    @discardableResult
    func writeBytes(_ relative: String, _ bytes: [UInt8], mode: mode_t = 0o644) -> String {
        let full = path + "/" + relative.drop { $0 == "/" }
        mkdirs(String(full[..<full.lastIndex(of: "/")!]))
        let fd = open(full, O_WRONLY | O_CREAT | O_TRUNC, mode)
        precondition(fd >= 0, "cannot write \(full)")
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        fchmod(fd, mode)
        close(fd)
        return full
    }

    func mkdirs(_ full: String) {
        var cur = ""
        for part in full.split(separator: "/") {
            cur += "/" + part
            mkdir(cur, 0o755)
        }
    }

    func dir(_ relative: String) -> String {
        let full = path + "/" + relative.drop { $0 == "/" }
        mkdirs(full)
        return full
    }
}

/// The repository's root, from this file's path (Tests/EdgeBoardsTests/...). The board test
/// binaries are compiled in a chroot that sees the checkout elsewhere, so scripts/cross-test
/// names the root in EDGECTL_REPO_ROOT.
func repositoryRoot(_ file: String = #filePath) -> String {
    if let root = getenv("EDGECTL_REPO_ROOT").map({ String(cString: $0) }), !root.isEmpty { return root }
    var parts = file.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    return parts.joined(separator: "/")
}
