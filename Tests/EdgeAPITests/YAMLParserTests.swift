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
        let deep = String(repeating: "[", count: 10_000)
        XCTAssertThrowsError(try YAMLParser.parse(deep))
    }
}
