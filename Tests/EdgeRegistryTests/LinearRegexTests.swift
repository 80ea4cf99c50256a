import XCTest
@testable import EdgeRegistry

final class LinearRegexTests: XCTestCase {
    func m(_ p: String, _ s: String, file: StaticString = #filePath, line: UInt = #line) -> Bool {
        guard let re = LinearRegex(p) else { XCTFail("not parsed: \(p)", file: file, line: line); return false }
        return re.matches(s)
    }

    func testMatchesAsGoMatchString() {
        XCTAssertTrue(m("^[a-z]+$", "abc"))
        XCTAssertFalse(m("^[a-z]+$", "Abc"))
        XCTAssertTrue(m("b", "abc"), "unanchored search")
        XCTAssertTrue(m("", "x"))
        let dns = #"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"#
        XCTAssertTrue(m(dns, "my-app.example.com"))
        XCTAssertFalse(m(dns, "-bad.example.com"))
        XCTAssertFalse(m(dns, "bad..example"))
        XCTAssertTrue(m(#"^\d{3}-\d{2,4}$"#, "123-4567"))
        XCTAssertFalse(m(#"^\d{3}-\d{2,4}$"#, "123-45678"))
        XCTAssertTrue(m(#"^(http|https)://\S+$"#, "https://x.y/z"))
        XCTAssertFalse(m(#"^(http|https)://\S+$"#, "ftp://x"))
        XCTAssertTrue(m(#"^[^/]+/[^/]+$"#, "a/b"))
        XCTAssertTrue(m(#"\bcat\b"#, "a cat!"))
        XCTAssertFalse(m(#"\bcat\b"#, "concatenate"))
        XCTAssertTrue(m(#"^(?:[0-9]+(\.[0-9]+)?(m|Mi|Gi)?)$"#, "1.5Gi"))
        XCTAssertTrue(m(#"^[\w.-]+$"#, "a_b.c-d"))
        XCTAssertTrue(m("a{2,}", "xaay"))
        XCTAssertTrue(m(#"^x\{1$"#, "x{1"), "an escaped brace is a literal")
    }

    func testPatternsABacktrackingEngineTakesExponentialTimeOnAreLinear() {
        let text = String(repeating: "a", count: 5000) + "b"
        XCTAssertFalse(m("^(a+)+$", text))
        XCTAssertFalse(m("^(a|a)*$", text))
        XCTAssertFalse(m("^(a*)*$", text))
    }

    func testSyntaxOutsideTheSubsetIsNotParsed() {
        XCTAssertNil(LinearRegex(#"(?i)abc"#))
        XCTAssertNil(LinearRegex(#"\p{L}+"#))
        XCTAssertNil(LinearRegex("a(b"))
        XCTAssertNil(LinearRegex("[z-a]"))
        XCTAssertNil(LinearRegex("a{1001}"))
    }
}
