import XCTest
@testable import EdgeImages
import CZlib
#if canImport(Glibc)
import Glibc
#endif

final class LayerUnpackerTests: XCTestCase {
    var dir = ""
    override func setUpWithError() throws { dir = try TestFiles.temporaryDirectory() }
    override func tearDown() { TestFiles.remove(dir) }

    func unpack(_ t: TarBuilder, privileged: Bool = geteuid() == 0) throws -> String {
        let root = dir + "/fs"
        try Posix.makeDirectories(root, mode: 0o755)
        var u = LayerUnpacker(root: root, privileged: privileged)
        try u.unpack(TarReader(ByteArrayStream(t.bytes)))
        return root
    }

    /// Device numbers as glibc's makedev packs them (split majors and minors, 64-bit dev_t on every target).
    func testDeviceNumbersUseGlibcEncoding() {
        XCTAssertEqual(UInt64(LayerUnpacker.device(8, 1)), 0x801)
        XCTAssertEqual(UInt64(LayerUnpacker.device(0x1234, 0x56789)), 0x1000_5672_3489)
        XCTAssertEqual(UInt64(LayerUnpacker.device(.max, .max)), .max)
    }

    func testFilesDirectoriesLinksModesOwnersAndTimes() throws {
        var t = TarBuilder()
        t.directory("./etc", mode: 0o750, mtime: 5000)
        t.file("./etc/shadow", "secret", mode: 0o640, uid: 0, gid: 42, mtime: 6000)
        t.file("usr/bin/tool", "#!/bin/sh\n", mode: 0o4755)   // parent dirs missing from the archive
        t.symlink("bin", to: "usr/bin")
        t.hardLink("etc/shadow-", to: "etc/shadow")
        t.entry("run/fifo", .fifo, mode: 0o600)
        t.file("etc/motd", "old")
        t.file("etc/motd", "new")                              // a later entry replaces an earlier one
        t.finish()
        let root = try unpack(t)
        XCTAssertEqual(try TestFiles.read(root + "/etc/shadow"), "secret")
        XCTAssertEqual(try TestFiles.read(root + "/etc/motd"), "new")
        let shadow = TestFiles.lstatOrNil(root + "/etc/shadow")!
        XCTAssertEqual(shadow.st_mode & 0o7777, 0o640)
        XCTAssertEqual(shadow.st_mtim.tv_sec, 6000)
        XCTAssertEqual(TestFiles.lstatOrNil(root + "/usr/bin/tool")!.st_mode & 0o7777, 0o4755)
        XCTAssertEqual(TestFiles.lstatOrNil(root + "/etc")!.st_mode & 0o7777, 0o750)
        XCTAssertEqual(TestFiles.lstatOrNil(root + "/etc")!.st_mtim.tv_sec, 5000, "directory mtimes are set after their children")
        XCTAssertEqual(TestFiles.lstatOrNil(root + "/etc/shadow-")!.st_ino, shadow.st_ino, "hard link shares the inode")
        XCTAssertEqual(TestFiles.lstatOrNil(root + "/bin")!.st_mode & S_IFMT, S_IFLNK)
        XCTAssertEqual(TestFiles.lstatOrNil(root + "/run/fifo")!.st_mode & S_IFMT, S_IFIFO)
        if geteuid() == 0 { XCTAssertEqual(shadow.st_gid, 42) }
    }

    func testEntriesCannotEscapeTheLayer() throws {
        var dotdot = TarBuilder()
        dotdot.file("a/../../escaped", "x")
        dotdot.finish()
        XCTAssertThrowsError(try unpack(dotdot)) { XCTAssertTrue("\($0)".contains("escapes the layer directory"), "\($0)") }
        XCTAssertNil(TestFiles.lstatOrNil(dir + "/escaped"))

        // A symlink to outside, then a file "through" it: must not land in the target.
        TestFiles.remove(dir + "/fs")
        try Posix.makeDirectories(dir + "/outside", mode: 0o755)
        var through = TarBuilder()
        through.symlink("evil", to: dir + "/outside")
        through.file("evil/planted", "x")
        through.finish()
        XCTAssertThrowsError(try unpack(through)) { XCTAssertTrue("\($0)".contains("symlink"), "\($0)") }
        XCTAssertNil(TestFiles.lstatOrNil(dir + "/outside/planted"))

        // Absolute paths are taken relative to the layer root.
        TestFiles.remove(dir + "/fs")
        var absolute = TarBuilder()
        absolute.file("/etc/hostname", "box")
        absolute.finish()
        XCTAssertEqual(try TestFiles.read(try unpack(absolute) + "/etc/hostname"), "box")

        // A hard link may only point at something inside this layer.
        TestFiles.remove(dir + "/fs")
        var link = TarBuilder()
        link.hardLink("passwd", to: "../../../../etc/passwd")
        link.finish()
        XCTAssertThrowsError(try unpack(link))
    }

    func testWhiteoutsBecomeOverlayfsMarkers() throws {
        try XCTSkipUnless(geteuid() == 0, "whiteout device nodes and trusted xattrs need root")
        var t = TarBuilder()
        t.directory("etc")
        t.file("etc/.wh.motd", "")
        t.directory("var/cache")
        t.file("var/cache/.wh..wh..opq", "")
        t.file("var/cache/fresh", "1")
        t.file(".wh..wh..plnk", "")
        t.finish()
        let root = try unpack(t)
        let whiteout = TestFiles.lstatOrNil(root + "/etc/motd")!
        XCTAssertEqual(whiteout.st_mode & S_IFMT, S_IFCHR)
        XCTAssertEqual(whiteout.st_rdev, 0)
        XCTAssertNil(TestFiles.lstatOrNil(root + "/etc/.wh.motd"))
        var value = [UInt8](repeating: 0, count: 4)
        let n = getxattr(root + "/var/cache", "trusted.overlay.opaque", &value, 4)
        XCTAssertEqual(n, 1)
        XCTAssertEqual(value[0], UInt8(ascii: "y"))
        XCTAssertNil(TestFiles.lstatOrNil(root + "/var/cache/.wh..wh..opq"))
        XCTAssertEqual(try TestFiles.read(root + "/var/cache/fresh"), "1")
        XCTAssertNil(TestFiles.lstatOrNil(root + "/.wh..wh..plnk"))
    }

    func testArchivesCannotSetOverlayXattrsThemselves() throws {
        try XCTSkipUnless(geteuid() == 0, "trusted xattrs need root")
        var t = TarBuilder()
        t.paxEntry([("SCHILY.xattr.trusted.overlay.redirect", "/etc"), ("SCHILY.xattr.user.kept", "1")], name: "d", .directory)
        t.finish()
        let root = try unpack(t)
        var value = [UInt8](repeating: 0, count: 16)
        XCTAssertLessThan(getxattr(root + "/d", "trusted.overlay.redirect", &value, 16), 0)
        XCTAssertEqual(getxattr(root + "/d", "user.kept", &value, 16), 1)
    }
}
