import XCTest
@testable import EdgeImages
#if canImport(Glibc)
import Glibc
#endif

/// Temp directories and small file helpers for the store tests.
enum TestFiles {
    static func temporaryDirectory() throws -> String {
        var template = Array("/tmp/edgectl-images-test-XXXXXX".utf8CString)
        guard let dir = mkdtemp(&template).map({ String(cString: $0) }) else { throw ImageError("mkdtemp failed") }
        return dir
    }

    static func remove(_ path: String) { try? Posix.removeTree(path) }

    static func write(_ path: String, _ bytes: [UInt8]) throws {
        let dir = String(path[..<path.lastIndex(of: "/")!])
        try Posix.makeDirectories(dir, mode: 0o755)
        try Posix.writeFileAtomically(path, bytes)
    }

    static func read(_ path: String) throws -> String { String(decoding: try Posix.readFile(path), as: UTF8.self) }

    /// gzip(1) over bytes: the reference compressor the inflater must agree with.
    static func gzip(_ bytes: [UInt8], in dir: String, name: String = "data") throws -> [UInt8] {
        let path = dir + "/" + name
        try write(path, bytes)
        guard system("gzip -n -c '\(path)' > '\(path).gz'") == 0 else { throw ImageError("gzip failed") }
        defer { unlink(path); unlink(path + ".gz") }
        return try Posix.readFile(path + ".gz")
    }

    static func lstatOrNil(_ path: String) -> stat? {
        var st = stat()
        return lstat(path, &st) == 0 ? st : nil
    }
}
