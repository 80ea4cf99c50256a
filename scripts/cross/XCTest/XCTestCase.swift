/// The base class of test cases, with XCTest's set-up and tear-down order:
/// setUp() async throws, setUpWithError(), setUp(); the test; tear-down blocks
/// (last added first); tearDown(), tearDownWithError(), tearDown() async throws.
open class XCTestCase: @unchecked Sendable {
    /// "Module.Class.testName" while a test runs.
    public internal(set) var name: String = ""
    /// XCTest's flag; failures never stop a test here (assertions do not throw).
    open var continueAfterFailure: Bool = true
    var teardownBlocks: [() async throws -> Void] = []

    public required init() {}

    open class func setUp() {}
    open class func tearDown() {}

    open func setUp() async throws {}
    open func setUpWithError() throws {}
    open func setUp() {}
    open func tearDown() {}
    open func tearDownWithError() throws {}
    open func tearDown() async throws {}

    public func addTeardownBlock(_ block: @escaping () -> Void) {
        teardownBlocks.append { block() }
    }

    public func addTeardownBlock(_ block: @escaping @Sendable () async throws -> Void) {
        teardownBlocks.append(block)
    }
}
