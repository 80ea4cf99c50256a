import Dispatch

/// Runs blocking system calls (process start, connect with timeout) on
/// Dispatch's threads, so they never hold one of the few cooperative threads.
enum Blocking {
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { cont in
            DispatchQueue.global().async {
                do { cont.resume(returning: try work()) } catch { cont.resume(throwing: error) }
            }
        }
    }
}
