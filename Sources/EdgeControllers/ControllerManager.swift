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
                    // Failures are retried with backoff and logged with the controller and key once per streak.
                    g.addTask { await q.work(c.name, logger: logger, streaks: streaks) { try await c.reconcile($0, context) } }
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
}
