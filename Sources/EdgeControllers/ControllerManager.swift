import EdgeAPI
import EdgeClient

/// Runs controllers: registers them, starts the shared informers, then runs
/// each controller's workers until cancelled.
public struct ControllerManager: Sendable {
    public let context: ControllerContext
    public let controllers: [any Controller]

    public init(context: ControllerContext, controllers: [any Controller]) {
        self.context = context
        self.controllers = controllers
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
                for _ in 0..<max(1, c.workers) {
                    g.addTask { await Self.work(c, q, context) }
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

    static func work(_ c: any Controller, _ q: WorkQueue, _ ctx: ControllerContext) async {
        while let key = await q.get() {
            do {
                try await c.reconcile(key, ctx)
                q.forget(key)
            } catch let r as RequeueAfter {
                q.addAfter(key, r.delay)
            } catch {
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
