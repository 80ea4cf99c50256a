import XCTest
import Dispatch
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
@testable import EdgeAPIServer

final class EventLoopTaskExecutorTests: XCTestCase {
    /// A task on the executor runs on its loop from start to end, also after a wait that another thread ends,
    /// and so do its child tasks.
    func testATaskRunsOnItsLoopBeforeAndAfterWaiting() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let executor = EventLoopTaskExecutor(loop)
        let seen = try await Task(executorPreference: executor) { () async throws -> [Bool] in
            var onLoop = [loop.inEventLoop]
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                DispatchQueue.global().async { c.resume() }
            }
            onLoop.append(loop.inEventLoop)
            async let child = loop.inEventLoop
            onLoop.append(await child)
            try await Task.sleep(for: .milliseconds(1))
            onLoop.append(loop.inEventLoop)
            return onLoop
        }.value
        XCTAssertEqual(seen, [true, true, true, true])
    }

    /// Writes run on the connection's loop; reads (a LIST can encode megabytes) stay on the task pool.
    func testOnlyWritesRunOnTheEventLoop() {
        for m in [HTTPMethod.POST, .PUT, .PATCH, .DELETE] { XCTAssertTrue(HTTPRequestHandler.runsOnEventLoop(m), "\(m)") }
        for m in [HTTPMethod.GET, .HEAD, .OPTIONS] { XCTAssertFalse(HTTPRequestHandler.runsOnEventLoop(m), "\(m)") }
    }
}
