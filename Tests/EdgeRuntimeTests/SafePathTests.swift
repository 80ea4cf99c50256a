import EdgeRuntime
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Path resolution inside a directory (safe_path.c) against a temporary tree with symlinks planted the way a
/// hostile image or container would: absolute links, links through "..", loops, files in the middle.
final class SafePathTests: XCTestCase {
    var base = ""
    /// The confining directory (a container's root, a volume).
    var root: String { base + "/root" }
    /// A directory beside it that stands for the host: nothing may be resolved or made there.
    var host: String { base + "/host" }

    override func setUpWithError() throws {
        var template = Array("/tmp/edgectl-safepath-XXXXXX".utf8CString)
        guard let dir = mkdtemp(&template) else { throw XCTSkip("no temporary directory") }
        base = String(cString: dir)
        for d in [root, host, root + "/etc", root + "/data", root + "/data/inner"] { XCTAssertEqual(mkdir(d, 0o755), 0, d) }
        XCTAssertNoThrow(try PosixFile.write(root + "/etc/passwd", Array("root".utf8)))
        XCTAssertNoThrow(try PosixFile.write(host + "/secret", Array("host".utf8)))
        link("/", at: "/to-slash")
        link(host, at: "/to-host-absolute")
        link("../host", at: "/to-host-relative")
        link("../../../../../../../../..\(host)", at: "/to-host-dotdot")
        link("data/inner", at: "/to-inner")
        link("../etc", at: "/data/to-etc")
        link("loop-b", at: "/loop-a")
        link("loop-a", at: "/loop-b")
    }

    override func tearDown() { if !base.isEmpty { PosixFile.removeTree(base) } }

    func link(_ target: String, at path: String) { XCTAssertEqual(symlink(target, root + path), 0, path) }

    /// Where `path` resolves to inside `root` under `rule`, as a path relative to `base`; or the errno.
    func resolve(_ path: String, _ rule: SafePath.Rule, create: SafePath.Create = .none) -> Result<String, SafePath.Failure> {
        do {
            let fd = try SafePath.open(path, in: root, rule: rule, create: create)
            defer { close(fd) }
            let full = SafePath.resolvedPath(fd) ?? "?"
            return .success(full.hasPrefix(base) ? String(full.dropFirst(base.count)) : full)
        } catch let e as SafePath.Failure {
            return .failure(e)
        } catch {
            XCTFail("\(error)")
            return .success("?")
        }
    }

    func errnoOf(_ r: Result<String, SafePath.Failure>) -> Int32? {
        if case .failure(let e) = r { return e.errno }
        return nil
    }

    func testInRootTreatsTheDirectoryAsSlash() {
        XCTAssertEqual(try resolve("/etc/passwd", .inRoot).get(), "/root/etc/passwd")
        XCTAssertEqual(try resolve("/../../../../etc/passwd", .inRoot).get(), "/root/etc/passwd", "\"..\" stops at the root")
        XCTAssertEqual(try resolve("/to-slash/etc", .inRoot).get(), "/root/etc", "an absolute link resolves in the root")
        XCTAssertEqual(errnoOf(resolve("/to-host-dotdot", .inRoot)), ENOENT, "a link climbing out looks for the same path inside")
        XCTAssertEqual(try resolve("/data/to-etc/passwd", .inRoot).get(), "/root/etc/passwd")
        XCTAssertEqual(try resolve("/", .inRoot).get(), "/root")
    }

    func testInRootNeverReachesTheHostDirectory() {
        for p in ["/to-host-absolute/secret", "/to-host-relative/secret", "/to-host-dotdot/secret", "../host/secret"] {
            switch resolve(p, .inRoot) {
            case .success(let got): XCTAssertFalse(got.hasPrefix("/host"), "\(p) resolved to \(got)")
            case .failure(let e): XCTAssertEqual(e.errno, ENOENT, "\(p): \(e)")
            }
        }
    }

    func testInRootMakesMissingTargetsInsideTheRootOnly() {
        // An image's link to a host path, used as a mount target: made inside, the host directory stays empty.
        XCTAssertEqual(try resolve("/to-host-absolute/new/dir", .inRoot, create: .directories).get(), "/root" + host + "/new/dir")
        XCTAssertEqual(try resolve("/to-host-dotdot/log", .inRoot, create: .file).get(), "/root" + host + "/log")
        XCTAssertEqual(PosixFile.list(host), ["secret"])
        var st = stat()
        XCTAssertEqual(lstat(root + host + "/log", &st), 0)
        XCTAssertEqual(st.st_mode & S_IFMT, S_IFREG, "the last component made as a file")
    }

    func testBeneathRefusesEveryWayOut() {
        for p in ["to-slash", "to-host-absolute", "to-host-relative/secret", "to-host-dotdot", "..", "data/../../host", "/etc"] {
            XCTAssertEqual(errnoOf(resolve(p, .beneath)), EXDEV, p)
        }
        XCTAssertEqual(errnoOf(resolve("to-host-relative/made", .beneath, create: .directories)), EXDEV)
        XCTAssertEqual(PosixFile.list(host), ["secret"], "nothing made on the way out")
    }

    func testBeneathFollowsLinksThatStayInside() {
        XCTAssertEqual(try resolve("to-inner", .beneath).get(), "/root/data/inner")
        XCTAssertEqual(try resolve("data/to-etc/passwd", .beneath).get(), "/root/etc/passwd")
        XCTAssertEqual(try resolve("data/inner/../../etc", .beneath).get(), "/root/etc")
        XCTAssertEqual(try resolve("to-inner/a/b", .beneath, create: .directories).get(), "/root/data/inner/a/b")
    }

    func testLoopsFilesInTheMiddleAndMissingPaths() {
        XCTAssertEqual(errnoOf(resolve("loop-a", .inRoot)), ELOOP)
        XCTAssertEqual(errnoOf(resolve("etc/passwd/x", .inRoot, create: .directories)), ENOTDIR)
        XCTAssertEqual(errnoOf(resolve("missing/x", .beneath)), ENOENT)
        XCTAssertEqual(errnoOf(resolve(String(repeating: "a/", count: 3000), .beneath)), ENAMETOOLONG)
    }

    func testSubPathPreparationMakesDirectoriesWithTheVolumesMode() throws {
        chmod(root, 0o777)
        try SafePath.prepareSubPath("a/b", inVolume: root)
        var st = stat()
        XCTAssertEqual(stat(root + "/a/b", &st), 0)
        XCTAssertEqual(st.st_mode & 0o777, 0o777, "the volume's mode, not the umask's")
        XCTAssertThrowsError(try SafePath.prepareSubPath("to-host-absolute/made", inVolume: root)) { e in
            XCTAssertEqual((e as? SafePath.Failure)?.errno, EXDEV)
        }
        XCTAssertEqual(PosixFile.list(host), ["secret"])
    }
}
