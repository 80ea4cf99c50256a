import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// A test case whose every test gets a new empty directory, `dir`, removed after it (stores, marks, reserves).
class TemporaryDirectoryTestCase: XCTestCase {
    var dir = ""

    override func setUp() {
        super.setUp()
        var template = Array("/tmp/edgectl-\(type(of: self))-XXXXXX".utf8CString)
        dir = String(cString: mkdtemp(&template))
    }

    override func tearDown() {
        _ = system("rm -rf '\(dir)'")
        super.tearDown()
    }
}
