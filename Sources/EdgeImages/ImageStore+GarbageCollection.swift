extension ImageStore {
    /// Frees disk under pressure: removes images nothing uses, least recently used first, until
    /// `bytesToFree` are freed or no image may go. An image is spared when it is named in
    /// `imagesInUse`, when all its layers are in `layersInUse`, or when it was used within the
    /// minimum age. Layers go only when no remaining image and no container still needs them.
    /// Runs under the store lock, so a concurrent pull or `edgectl images` sees a consistent store.
    public func collectGarbage(_ request: GarbageCollectionRequest) throws -> GarbageCollectionResult {
        guard request.bytesToFree > 0 else { return GarbageCollectionResult(freedBytes: 0, removedImages: []) }
        return try lock.withLock {
            let all = records()
            let heldLayers = Set(request.layersInUse.compactMap(layers.diffID(filesystemPath:)))
            let named = Set(request.imagesInUse.flatMap { name -> [String] in
                let normalized = Self.normalize(name)
                let byReference = all.filter { $0.references.contains(normalized) }.map(\.id)
                return byReference.isEmpty ? [findByID(name, in: all)?.id].compactMap { $0 } : byReference
            })
            let newestEligibleUse = request.nowNanoseconds - request.minimumAgeNanoseconds
            func stackedByAContainer(_ r: ImageRecord) -> Bool { !r.diffIDs.isEmpty && r.diffIDs.allSatisfy(heldLayers.contains) }
            let candidates = all
                .filter { !named.contains($0.id) && !stackedByAContainer($0) }
                .map { (record: $0, lastUse: Posix.modificationTime((try? recordPath($0.id)) ?? "") ?? 0) }
                .filter { $0.lastUse <= newestEligibleUse }
                .sorted { ($0.lastUse, $0.record.id) < ($1.lastUse, $1.record.id) }
            var result = GarbageCollectionResult(freedBytes: 0, removedImages: [])
            for candidate in candidates {
                if result.freedBytes >= request.bytesToFree { break }
                result.freedBytes += try deleteImage(candidate.record, keepingLayers: heldLayers)
                result.removedImages.append(candidate.record.references.first ?? candidate.record.id)
            }
            return result
        }
    }
}
