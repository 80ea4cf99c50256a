extension ImageStore {
    /// Frees disk under pressure: removes images not in `inUse` (ids), least
    /// recently used first, until the filesystem has `targetFreeBytes` free or
    /// nothing more may go. Layers are freed when no remaining image uses them.
    /// Returns bytes freed.
    public func collectGarbage(inUse: Set<String>, targetFreeBytes: Int64) throws -> Int64 {
        try lock.withLock {
            let shortfall = targetFreeBytes - freeBytes()
            guard shortfall > 0 else { return 0 }
            let candidates = records()
                .filter { !inUse.contains($0.id) }
                .map { (record: $0, lastUse: Posix.modificationTime((try? recordPath($0.id)) ?? "") ?? 0) }
                .sorted { ($0.lastUse, $0.record.id) < ($1.lastUse, $1.record.id) }
            var freed: Int64 = 0
            for candidate in candidates {
                if freed >= shortfall { break }
                freed += try deleteImage(candidate.record)
            }
            return freed
        }
    }
}
