import EdgeAPI
import EdgeClient
import Logging

/// Runs controllers: registers them, starts the shared informers, then runs
/// each controller's workers until cancelled.
public struct ControllerManager: Sendable {
    public let context: ControllerContext
    public let controllers: [any Controller]
    let logger: Logger

    public init(context: ControllerContext, controllers: [any Controller], logger: Logger = Logger(label: "edgectl.controllers")) {
        self.context = context
        self.controllers = controllers
        self.logger = logger
    }

    public func run() async {
        let queues = controllers.map { _ in WorkQueue() }
        for (c, q) in zip(controllers, queues) { c.register(context, q) }
        await context.informers.startAndSync()
        if Task.isCancelled {
            context.informers.stop()
            return
        }
        await withTaskGroup(of: Void.self) { g in
            for (c, q) in zip(controllers, queues) {
                let streaks = FailureStreaks()
                for _ in 0..<max(1, c.workers) {
                    g.addTask { await Self.work(c, q, context, streaks, logger) }
                }
            }
            // Run until cancelled; then release every worker.
            await withTaskCancellationHandler {
                while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
            } onCancel: {
                for q in queues { q.shutDown() }
            }
            g.cancelAll()
        }
        context.informers.stop()
    }

    /// Reconciles keys until the queue shuts down. A failed key is retried with
    /// backoff and logged with its key once per streak (again only if the error
    /// changes), and once more when it succeeds again. A write that lost a
    /// resourceVersion race (409 Conflict) is retried the same way but only said at debug.
    static func work(_ c: any Controller, _ q: WorkQueue, _ ctx: ControllerContext, _ streaks: FailureStreaks, _ logger: Logger) async {
        while let key = await q.get() {
            do {
                try await c.reconcile(key, ctx)
                q.forget(key)
                if let failures = streaks.succeeded(key) {
                    logger.info("\(c.name): reconciled \(key) after \(failures) failed attempt\(failures == 1 ? "" : "s")",
                                metadata: ["controller": "\(c.name)", "key": "\(key)"])
                }
            } catch let r as RequeueAfter {
                q.addAfter(key, r.delay)
            } catch let e as APIError where e.reason == "Conflict" {
                // Optimistic concurrency: another writer got there first and the retry reads the
                // newer object. Routine while several controllers touch one object; not a failure.
                logger.debug("\(c.name): \(key) changed under a write, retrying: \(e)", metadata: ["controller": "\(c.name)", "key": "\(key)"])
                q.addRateLimited(key)
            } catch {
                if streaks.failed(key, error) {
                    logger.warning("\(c.name): reconciling \(key) failed, retrying with backoff: \(error)",
                                   metadata: ["controller": "\(c.name)", "key": "\(key)"])
                }
                q.addRateLimited(key)
            }
            q.done(key)
        }
    }
}

/// An error that asks for the key to be looked at again later without
/// counting as a failure worth logging (e.g. waiting for a cache to catch up).
/// Delays computed from objects (a TTL of 68 years) are capped at a day:
/// sleeping longer would trap, and the reconcile after it simply waits again.
public struct RequeueAfter: Error, Sendable {
    public var delay: Duration
    public init(_ delay: Duration) { self.delay = min(max(delay, .zero), .longestSleep) }
}
