import EdgeAPI
import Logging

extension WorkQueue {
    /// Takes keys until the queue shuts down and hands each to `handle`, as a
    /// controller's worker does. A key that throws is retried with backoff and
    /// logged with `name` and the key once per streak of the same error (again
    /// only if the error changes), and once more when it goes through again:
    /// a key stuck failing is visible without a line per retry. `RequeueAfter`
    /// waits without counting as a failure; a write that lost a resourceVersion
    /// race (409 Conflict) is routine and only said at debug.
    public func work(_ name: String, logger: Logger, streaks: FailureStreaks, _ handle: (String) async throws -> Void) async {
        while let key = await get() {
            let metadata: Logger.Metadata = ["worker": "\(name)", "key": "\(key)"]
            do {
                try await handle(key)
                forget(key)
                if let failures = streaks.succeeded(key) {
                    logger.info("\(name): \(key) went through after \(failures) failed attempt\(failures == 1 ? "" : "s")", metadata: metadata)
                }
            } catch let r as RequeueAfter {
                addAfter(key, r.delay)
            } catch let e as APIError where e.reason == "Conflict" {
                // Another writer got there first; the retry reads the newer object.
                logger.debug("\(name): \(key) changed under a write, retrying: \(e)", metadata: metadata)
                addRateLimited(key)
            } catch {
                if streaks.failed(key, error) {
                    logger.warning("\(name): \(key) failed, retrying with backoff: \(error)", metadata: metadata)
                }
                addRateLimited(key)
            }
            done(key)
        }
    }
}
