import EdgeAPI

#if canImport(Glibc)
import Glibc
#endif

/// Unpacked layers, one directory per diff id (the digest of the uncompressed
/// tar), so images that share a layer share its files. A layer appears only
/// complete: it is unpacked into a temp directory and renamed into place.
struct LayerStore: Sendable {
    /// <store>/layers
    let root: String
    /// <store>/tmp, on the same filesystem so rename is atomic.
    let temporary: String

    func directory(_ diffID: String) throws -> String { root + "/" + (try Digest.hex(diffID)) }

    /// The tree overlayfs mounts as a lower directory.
    func filesystemPath(_ diffID: String) throws -> String { try directory(diffID) + "/fs" }

    /// The diff id of a layer tree path (".../<hex>/fs"), nil for anything else. The directory a
    /// layer sits in is named by its content digest, so the path's prefix need not be this store's
    /// spelling of its root (a data dir given relative once, absolute the next time).
    func diffID(filesystemPath path: String) -> String? {
        let parts = path.split(separator: "/")
        guard parts.count >= 2, parts[parts.count - 1] == "fs" else { return nil }
        let hex = parts[parts.count - 2]
        guard hex.utf8.count == 64, hex.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) else { return nil }
        return "sha256:" + hex
    }

    func contains(_ diffID: String) -> Bool {
        guard let dir = try? directory(diffID) else { return false }
        return Posix.exists(dir + "/layer.json")
    }

    /// Bytes on disk, as measured when it was unpacked.
    func size(_ diffID: String) -> Int64 {
        guard let dir = try? directory(diffID), let bytes = try? Posix.readFile(dir + "/layer.json"),
              let json = try? JSONParser.parse(bytes) else { return 0 }
        return json["size"]?.int ?? 0
    }

    func all() -> [String] {
        Posix.listDirectory(root).filter { $0.utf8.count == 64 }.map { "sha256:" + $0 }
    }

    /// Unpacks a layer blob (gzip or plain tar) unless that diff id is already
    /// here, checking the blob's digest (when known) and the diff id on the way.
    func unpack(blobPath: String, blobDigest: String?, diffID: String) throws {
        if contains(diffID) { return }
        let target = try directory(diffID)
        let work = try Posix.makeTemporaryDirectory(in: temporary, prefix: "layer-")
        do {
            try Posix.makeDirectories(work + "/fs", mode: 0o755)
            let compressed = HashingStream(try FileStream(path: blobPath))
            let prefix = try FileStream(path: blobPath).readPrefix(4)
            if prefix.starts(with: [0x28, 0xb5, 0x2f, 0xfd]) {
                throw ImageError("layer \(blobDigest ?? diffID) is zstd-compressed; only gzip and uncompressed layers are supported")
            }
            let tarBytes: ByteStream = GzipStream.isGzip(prefix) ? try GzipStream(compressed, name: "layer \(blobDigest ?? diffID)") : compressed
            let uncompressed = HashingStream(tarBytes)
            var unpacker = LayerUnpacker(root: work + "/fs")
            try unpacker.unpack(TarReader(uncompressed))
            let actualDiffID = try uncompressed.finish()
            let actualBlob = try compressed.finish()
            if let blobDigest, actualBlob != blobDigest {
                throw ImageError("digest mismatch for blob \(blobDigest): got \(actualBlob); the layer file is corrupt")
            }
            guard actualDiffID == diffID else {
                throw ImageError("diff id mismatch for layer \(blobDigest ?? blobPath): the image config says \(diffID), the unpacked tar is \(actualDiffID)")
            }
            let record: JSON = .obj(["diffID": .string(diffID), "blob": blobDigest.map { .string($0) } ?? .null,
                                     "size": .int(unpacker.diskUsage)])
            try Posix.writeFileAtomically(work + "/layer.json", JSONSerializer.serialize(record))
            if rename(work, target) != 0 {
                // Another pull unpacked the same layer meanwhile: theirs is as good as ours.
                guard contains(diffID) else { throw ImageError("failed to store layer \(diffID) at \(target): \(Posix.lastError)") }
                try Posix.removeTree(work)
            }
        } catch {
            try? Posix.removeTree(work)
            throw error
        }
    }

    /// Moves the layer out of sight first, so a crash mid-delete never leaves a layer that looks whole.
    func remove(_ diffID: String) throws {
        let dir = try directory(diffID)
        guard Posix.exists(dir) else { return }
        let doomed = try Posix.makeTemporaryDirectory(in: temporary, prefix: "doomed-")
        guard rename(dir, doomed + "/layer") == 0 else { throw ImageError("failed to remove layer \(diffID): \(Posix.lastError)") }
        try Posix.removeTree(doomed)
    }
}
