import NIOCore

/// Runs a task's jobs on one event loop: a write request's task then runs on
/// its connection's loop from the read of the request to the write of the
/// answer. On the task pool a request cost two thread switches (the loop waking
/// a pool thread, the task waking the loop to write), more than a tenth of a
/// sequential create's CPU. The store commits a lone write inline (fsync on
/// this thread) and sends concurrent writes to its writer, so a loop waits for
/// the disk only when nothing else is writing. Reads stay on the pool: a LIST
/// encodes megabytes, which would hold up every connection of the loop.
final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    let loop: any EventLoop

    init(_ loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        loop.execute { job.runSynchronously(on: executor) }
    }
}
