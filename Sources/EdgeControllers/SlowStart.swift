/// Upstream's slow-start batching: run 1 call, then 2, 4, 8 ... concurrently,
/// stopping at the first batch with a failure. A broken template (say, a quota
/// or validation error) costs one failed call, not hundreds.
public enum SlowStart {
    /// Returns how many calls succeeded.
    public static func run(total: Int, initialBatch: Int = 1, _ call: @escaping @Sendable () async throws -> Void) async throws -> Int {
        var done = 0
        var batch = initialBatch
        while done < total {
            let n = min(batch, total - done)
            let failures = await withTaskGroup(of: Bool.self) { g -> Int in
                for _ in 0..<n { g.addTask { (try? await call()) != nil } }
                var failed = 0
                for await ok in g where !ok { failed += 1 }
                return failed
            }
            done += n - failures
            if failures > 0 { return done }
            // Doubling stops at the total: no overflow where Int is 32 bits.
            batch = batch > total / 2 ? total : batch * 2
        }
        return done
    }
}
