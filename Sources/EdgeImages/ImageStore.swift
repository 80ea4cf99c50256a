import EdgeAPI

#if canImport(Glibc)
import Glibc
#endif

/// The node's images: layers unpacked once per diff id under `layers/`, small
/// JSON records under `images/`, manifests and configs under `blobs/`. No
/// database: every change is a rename or an atomic file write, under a file lock.
public final class ImageStore: Sendable {
    public let root: String
    let layers: LayerStore
    let blobs: BlobStore
    let recordsDirectory: String
    let temporary: String
    let lock: StoreLock

    public init(root: String) throws {
        var root = root
        while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
        self.root = root
        layers = LayerStore(root: root + "/layers", temporary: root + "/tmp")
        blobs = BlobStore(root: root + "/blobs/sha256")
        recordsDirectory = root + "/images"
        temporary = root + "/tmp"
        lock = StoreLock(path: root + "/lock")
        for dir in [layers.root, blobs.root, recordsDirectory, temporary] {
            try Posix.makeDirectories(dir, mode: 0o700)
        }
        removeAbandonedTemporaries()
    }

    /// "busybox" -> "docker.io/library/busybox:latest"; full references come back
    /// unchanged; digests stay. Unparseable input is returned as given.
    public static func normalize(_ reference: String) -> String {
        (try? ImageReference.parse(reference))?.description ?? reference
    }

    // MARK: - Lookup

    /// By reference (normalized) or by id ("sha256:<hex>", the hex, or a unique prefix of at least 4 digits).
    /// Counts as a use for garbage collection.
    public func image(_ reference: String) -> StoredImage? {
        guard let record = findRecord(reference) else { return nil }
        if let path = try? recordPath(record.id) { Posix.touch(path) }
        return try? stored(record)
    }

    public func list() -> [StoredImage] {
        records().compactMap { try? stored($0) }.sorted {
            ($0.references.first ?? "~" + $0.id, $0.id) < ($1.references.first ?? "~" + $1.id, $1.id)
        }
    }

    /// Removes a reference; the image goes when its last reference goes. An id removes the image with all its references.
    public func remove(_ reference: String) throws {
        try lock.withLock {
            let normalized = Self.normalize(reference)
            if var record = records().first(where: { $0.references.contains(normalized) }) {
                record.references.removeAll { $0 == normalized }
                if record.references.isEmpty { try deleteImage(record) } else { try save(record, keepingLastUse: true) }
                return
            }
            guard let record = findByID(reference) else {
                throw ImageError("image \(reference) not found in \(root); `edgectl images list` shows what is stored")
            }
            try deleteImage(record)
        }
    }

    /// Points `reference` at an existing image (moving it off any other image).
    @discardableResult
    public func tag(_ source: String, as reference: String) throws -> StoredImage {
        let normalized = try ImageReference.parse(reference).description
        return try lock.withLock {
            guard var record = findRecord(source) else { throw ImageError("image \(source) not found in \(root)") }
            try moveReferences([normalized], to: record.id)
            record = try loadRecord(record.id) ?? record
            if !record.references.contains(normalized) { record.references.append(normalized) }
            try save(record, keepingLastUse: false)
            return try stored(record)
        }
    }

    // MARK: - Records

    func recordPath(_ id: String) throws -> String { recordsDirectory + "/" + (try Digest.hex(id)) + ".json" }

    func records() -> [ImageRecord] {
        Posix.listDirectory(recordsDirectory).filter { $0.hasSuffix(".json") && $0.utf8.count == 69 }.compactMap {
            guard let bytes = try? Posix.readFile(recordsDirectory + "/" + $0), let json = try? JSONParser.parse(bytes) else { return nil }
            return try? ImageRecord(json: json)
        }
    }

    func loadRecord(_ id: String) throws -> ImageRecord? {
        let path = try recordPath(id)
        guard Posix.exists(path) else { return nil }
        return try ImageRecord(json: try JSONParser.parse(try Posix.readFile(path)))
    }

    /// Rewrites a record; `keepingLastUse` keeps its mtime so a tag change is not mistaken for use.
    func save(_ record: ImageRecord, keepingLastUse: Bool) throws {
        let path = try recordPath(record.id)
        let previous = keepingLastUse ? Posix.modificationTime(path) : nil
        try Posix.writeFileAtomically(path, JSONSerializer.serialize(record.json))
        if let previous { Posix.setModificationTime(path, nanoseconds: previous) }
    }

    func findRecord(_ reference: String) -> ImageRecord? {
        let normalized = Self.normalize(reference)
        let all = records()
        if let byReference = all.first(where: { $0.references.contains(normalized) }) { return byReference }
        return findByID(reference, in: all)
    }

    func findByID(_ text: String, in all: [ImageRecord]? = nil) -> ImageRecord? {
        var hex = text.lowercased()
        if hex.hasPrefix("sha256:") { hex.removeFirst(7) }
        guard hex.utf8.count >= 4, hex.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) else { return nil }
        let matches = (all ?? records()).filter { $0.id.dropFirst(7).hasPrefix(hex) }
        return matches.count == 1 ? matches[0] : nil
    }

    func stored(_ record: ImageRecord) throws -> StoredImage {
        let paths = try record.diffIDs.map { try layers.filesystemPath($0) }
        return StoredImage(references: record.references, id: record.id, config: record.config, layerPaths: paths,
                           size: record.diffIDs.reduce(0) { $0 + layers.size($1) }, manifestDigest: record.manifestDigest,
                           platform: record.platform, offeredPlatforms: record.offeredPlatforms,
                           lastUsedNanoseconds: Posix.modificationTime(try recordPath(record.id)) ?? 0)
    }

    /// A reference names one image: taking it for `id` takes it off any other.
    func moveReferences(_ references: [String], to id: String) throws {
        for var other in records() where other.id != id && other.references.contains(where: references.contains) {
            other.references.removeAll(where: references.contains)
            try save(other, keepingLastUse: true)
        }
    }

    /// Drops the record, its blobs, and every layer no other image uses and `keepingLayers`
    /// (diff ids containers still stack) does not hold. Returns bytes freed.
    @discardableResult
    func deleteImage(_ record: ImageRecord, keepingLayers: Set<String> = []) throws -> Int64 {
        unlink(try recordPath(record.id))
        var freed: Int64 = 0
        for digest in [record.id, record.manifestDigest].compactMap({ $0 }) {
            if let p = try? blobs.path(digest) { freed += Posix.fileSize(p) }
            try blobs.remove(digest)
        }
        let stillUsed = Set(records().flatMap(\.diffIDs)).union(keepingLayers)
        for diffID in Set(record.diffIDs) where !stillUsed.contains(diffID) {
            freed += layers.size(diffID)
            try layers.remove(diffID)
        }
        return freed
    }

    /// Unpacks what is missing and records the image. Unpacking happens outside
    /// the lock (it is long and safe to race: layers land by rename); the record is written under it.
    func commit(_ content: ImageContent, platform: ImagePlatform?, what: String) throws -> StoredImage {
        let document = try ImageConfigDocument(content.configBytes, what: what)
        if let platform, !document.platform.architecture.isEmpty, platform.matchScore(document.platform) == nil {
            throw ImageError("\(what): the image is built for \(document.platform), this node is \(platform)")
        }
        guard document.diffIDs.count == content.layers.count else {
            throw ImageError("\(what): manifest lists \(content.layers.count) layers but the config has \(document.diffIDs.count) diff ids")
        }
        for (layer, diffID) in zip(content.layers, document.diffIDs) where !layers.contains(diffID) {
            guard let blobPath = layer.blobPath else { throw ImageError("\(what): layer \(diffID) is neither stored nor supplied") }
            do {
                try layers.unpack(blobPath: blobPath, blobDigest: layer.blobDigest, diffID: diffID)
            } catch {
                throw ImageError("\(what): \(error)")
            }
        }
        return try lock.withLock {
            for diffID in document.diffIDs where !layers.contains(diffID) {
                throw ImageError("\(what): layer \(diffID) was removed by garbage collection while the image was being stored; retry")
            }
            try blobs.put(content.configBytes, digest: content.configDigest)
            if let bytes = content.manifestBytes, let digest = content.manifestDigest { try blobs.put(bytes, digest: digest) }
            try moveReferences(content.references, to: content.configDigest)
            var record = try loadRecord(content.configDigest) ?? ImageRecord(
                id: content.configDigest, references: [], manifestDigest: content.manifestDigest,
                diffIDs: document.diffIDs, config: document.config, platform: document.platform)
            for r in content.references where !record.references.contains(r) { record.references.append(r) }
            if record.manifestDigest == nil { record.manifestDigest = content.manifestDigest }
            if !content.offeredPlatforms.isEmpty {
                record.offeredPlatforms = content.offeredPlatforms
            } else if record.offeredPlatforms.isEmpty, !document.platform.architecture.isEmpty {
                record.offeredPlatforms = [document.platform]
            }
            try save(record, keepingLastUse: false)
            return try stored(record)
        }
    }

    /// Temp entries a crashed pull or import left behind; an hour old is long abandoned.
    private func removeAbandonedTemporaries() {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let cutoff = (Int64(now.tv_sec) - 3600) * 1_000_000_000
        for name in Posix.listDirectory(temporary) {
            let path = temporary + "/" + name
            if let mtime = Posix.modificationTime(path), mtime < cutoff { try? Posix.removeTree(path) }
        }
    }
}
