// XCTest's assertions: each evaluates its expressions once, records a failure in
// XCTest's words (a thrown error counts as a failure too) and never throws.

private func evaluate<T>(_ name: String, _ message: () -> String, _ file: StaticString, _ line: UInt,
                         _ body: () throws -> T) -> T? {
    do { return try body() } catch {
        Failures.record("\(name) threw error \"\(error)\"", message(), file: file, line: line)
        return nil
    }
}

public func XCTFail(_ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    Failures.record("failed", message, file: file, line: line)
}

public func XCTAssert(_ expression: @autoclosure () throws -> Bool, _ message: @autoclosure () -> String = "",
                      file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertTrue(try expression(), message(), file: file, line: line)
}

public func XCTAssertTrue(_ expression: @autoclosure () throws -> Bool, _ message: @autoclosure () -> String = "",
                          file: StaticString = #filePath, line: UInt = #line) {
    guard let value = evaluate("XCTAssertTrue", message, file, line, expression) else { return }
    if !value { Failures.record("XCTAssertTrue failed", message(), file: file, line: line) }
}

public func XCTAssertFalse(_ expression: @autoclosure () throws -> Bool, _ message: @autoclosure () -> String = "",
                           file: StaticString = #filePath, line: UInt = #line) {
    guard let value = evaluate("XCTAssertFalse", message, file, line, expression) else { return }
    if value { Failures.record("XCTAssertFalse failed", message(), file: file, line: line) }
}

public func XCTAssertNil(_ expression: @autoclosure () throws -> Any?, _ message: @autoclosure () -> String = "",
                         file: StaticString = #filePath, line: UInt = #line) {
    guard let value = evaluate("XCTAssertNil", message, file, line, expression) else { return }
    if let some = value { Failures.record("XCTAssertNil failed: \"\(some)\"", message(), file: file, line: line) }
}

public func XCTAssertNotNil(_ expression: @autoclosure () throws -> Any?, _ message: @autoclosure () -> String = "",
                            file: StaticString = #filePath, line: UInt = #line) {
    guard let value = evaluate("XCTAssertNotNil", message, file, line, expression) else { return }
    if value == nil { Failures.record("XCTAssertNotNil failed", message(), file: file, line: line) }
}

public func XCTAssertEqual<T: Equatable>(_ expression1: @autoclosure () throws -> T, _ expression2: @autoclosure () throws -> T,
                                         _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    guard let a = evaluate("XCTAssertEqual", message, file, line, expression1),
          let b = evaluate("XCTAssertEqual", message, file, line, expression2) else { return }
    if a != b { Failures.record("XCTAssertEqual failed: (\"\(a)\") is not equal to (\"\(b)\")", message(), file: file, line: line) }
}

public func XCTAssertEqual<T: Numeric & Comparable>(_ expression1: @autoclosure () throws -> T, _ expression2: @autoclosure () throws -> T,
                                                    accuracy: T, _ message: @autoclosure () -> String = "",
                                                    file: StaticString = #filePath, line: UInt = #line) {
    guard let a = evaluate("XCTAssertEqual", message, file, line, expression1),
          let b = evaluate("XCTAssertEqual", message, file, line, expression2) else { return }
    let difference = a > b ? a - b : b - a
    if difference > accuracy {
        Failures.record("XCTAssertEqual failed: (\"\(a)\") is not equal to (\"\(b)\") +/- (\"\(accuracy)\")", message(), file: file, line: line)
    }
}

public func XCTAssertNotEqual<T: Equatable>(_ expression1: @autoclosure () throws -> T, _ expression2: @autoclosure () throws -> T,
                                            _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    guard let a = evaluate("XCTAssertNotEqual", message, file, line, expression1),
          let b = evaluate("XCTAssertNotEqual", message, file, line, expression2) else { return }
    if a == b { Failures.record("XCTAssertNotEqual failed: (\"\(a)\") is equal to (\"\(b)\")", message(), file: file, line: line) }
}

private func compare<T: Comparable>(_ name: String, _ relation: String, _ holds: (T, T) -> Bool,
                                    _ expression1: () throws -> T, _ expression2: () throws -> T,
                                    _ message: () -> String, _ file: StaticString, _ line: UInt) {
    guard let a = evaluate(name, message, file, line, expression1), let b = evaluate(name, message, file, line, expression2) else { return }
    if !holds(a, b) { Failures.record("\(name) failed: (\"\(a)\") is not \(relation) (\"\(b)\")", message(), file: file, line: line) }
}

public func XCTAssertGreaterThan<T: Comparable>(_ expression1: @autoclosure () throws -> T, _ expression2: @autoclosure () throws -> T,
                                                _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    compare("XCTAssertGreaterThan", "greater than", (>), expression1, expression2, message, file, line)
}

public func XCTAssertGreaterThanOrEqual<T: Comparable>(_ expression1: @autoclosure () throws -> T, _ expression2: @autoclosure () throws -> T,
                                                       _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    compare("XCTAssertGreaterThanOrEqual", "greater than or equal to", (>=), expression1, expression2, message, file, line)
}

public func XCTAssertLessThan<T: Comparable>(_ expression1: @autoclosure () throws -> T, _ expression2: @autoclosure () throws -> T,
                                             _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    compare("XCTAssertLessThan", "less than", (<), expression1, expression2, message, file, line)
}

public func XCTAssertLessThanOrEqual<T: Comparable>(_ expression1: @autoclosure () throws -> T, _ expression2: @autoclosure () throws -> T,
                                                    _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    compare("XCTAssertLessThanOrEqual", "less than or equal to", (<=), expression1, expression2, message, file, line)
}

public func XCTAssertThrowsError<T>(_ expression: @autoclosure () throws -> T, _ message: @autoclosure () -> String = "",
                                    file: StaticString = #filePath, line: UInt = #line,
                                    _ errorHandler: (_ error: any Error) -> Void = { _ in }) {
    do {
        _ = try expression()
        Failures.record("XCTAssertThrowsError failed: did not throw an error", message(), file: file, line: line)
    } catch {
        errorHandler(error)
    }
}

public func XCTAssertNoThrow<T>(_ expression: @autoclosure () throws -> T, _ message: @autoclosure () -> String = "",
                                file: StaticString = #filePath, line: UInt = #line) {
    do { _ = try expression() } catch {
        Failures.record("XCTAssertNoThrow failed: threw error \"\(error)\"", message(), file: file, line: line)
    }
}

/// What XCTUnwrap throws for nil; the runner reports it as the test's failure.
public struct XCTUnwrapError: Error, CustomStringConvertible {
    public let description: String
}

public func XCTUnwrap<T>(_ expression: @autoclosure () throws -> T?, _ message: @autoclosure () -> String = "",
                         file: StaticString = #filePath, line: UInt = #line) throws -> T {
    if let value = try expression() { return value }
    Failures.record("XCTUnwrap failed: expected non-nil value of type \"\(T.self)\"", message(), file: file, line: line)
    throw XCTUnwrapError(description: "XCTUnwrap found nil")
}
