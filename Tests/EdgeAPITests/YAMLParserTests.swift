import XCTest
@testable import EdgeAPI

final class YAMLParserTests: XCTestCase {
    func testBlockMappingsSequencesAndScalars() throws {
        let y = """
            ---
            apiVersion: apps/v1   # comment
            kind: Deployment
            metadata:
              name: web
              annotations:
                note: "a: b # not a comment"
                other: 'it''s'
            spec:
              replicas: 3
              paused: false
              ratio: 0.5
              empty:
              list:
              - name: a
                args: [x, "y", 3]
              - name: b
                env: {A: "1", B: yes}
              script: |
                line one
                  indented
              folded: >-
                one
                two
            """
        let v = try YAMLParser.parse(y)
        XCTAssertEqual(v["apiVersion"], "apps/v1")
        XCTAssertEqual(v[path: ["metadata", "annotations", "note"]], "a: b # not a comment")
        XCTAssertEqual(v[path: ["metadata", "annotations", "other"]], "it's")
        XCTAssertEqual(v[path: ["spec", "replicas"]], 3)
        XCTAssertEqual(v[path: ["spec", "paused"]], false)
        XCTAssertEqual(v[path: ["spec", "ratio"]], 0.5)
        XCTAssertEqual(v[path: ["spec", "empty"]], .null)
        XCTAssertEqual(v[path: ["spec", "list"]], [["name": "a", "args": ["x", "y", 3]], ["name": "b", "env": ["A": "1", "B": true]]])
        XCTAssertEqual(v[path: ["spec", "script"]], "line one\n  indented\n")
        XCTAssertEqual(v[path: ["spec", "folded"]], "one two")
    }

    func testSequencesAtTheKeysIndentAndNestedSequences() throws {
        let v = try YAMLParser.parse("a:\n- 1\n- - x\n  - z\nb: c\n")
        XCTAssertEqual(v, ["a": [1, ["x", "z"]], "b": "c"])
    }

    func testBadInputIsAnErrorNotACrash() {
        XCTAssertThrowsError(try YAMLParser.parse("a: [b"))
        XCTAssertThrowsError(try YAMLParser.parse("a: 1\na: 2"))
        XCTAssertThrowsError(try YAMLParser.parse("a: *ref"))
        XCTAssertThrowsError(try YAMLParser.parse("a: \"open"))
        XCTAssertThrowsError(try YAMLParser.parse("[}"), "a stray closer is an error, not a loop")
        XCTAssertThrowsError(try YAMLParser.parse("{]"))
        XCTAssertThrowsError(try YAMLParser.parse("a: [x: y}"))
        let deep = String(repeating: "[", count: 10_000)
        XCTAssertThrowsError(try YAMLParser.parse(deep))
    }

    /// Random documents from YAML's punctuation: every one is answered (a value or an error), none traps or hangs.
    func testRandomDocumentsNeverTrap() {
        let pieces = ["a", ":", " ", "\n", "- ", "[", "]", "{", "}", ",", "\"", "'", "#", "|", ">", "-", "+", "  ", "1", "\\", "---\n", "x: ", "\t"]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            var text = ""
            for _ in 0..<Int.random(in: 0..<40, using: &rng) { text += pieces.randomElement(using: &rng)! }
            _ = try? YAMLParser.parse(text)
        }
    }
}
