/// Thrown to skip the rest of a test.
public struct XCTSkip: Error, CustomStringConvertible {
    public let message: String?
    public let file: StaticString
    public let line: UInt

    public init(_ message: String? = nil, file: StaticString = #filePath, line: UInt = #line) {
        self.message = message
        self.file = file
        self.line = line
    }

    public var description: String { message.map { "Test skipped - \($0)" } ?? "Test skipped" }
}

public func XCTSkipIf(_ expression: @autoclosure () throws -> Bool, _ message: @autoclosure () -> String? = nil,
                      file: StaticString = #filePath, line: UInt = #line) throws {
    if try expression() { throw XCTSkip(message(), file: file, line: line) }
}

public func XCTSkipUnless(_ expression: @autoclosure () throws -> Bool, _ message: @autoclosure () -> String? = nil,
                          file: StaticString = #filePath, line: UInt = #line) throws {
    if try !expression() { throw XCTSkip(message(), file: file, line: line) }
}
