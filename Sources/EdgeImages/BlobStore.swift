/// Manifests and configs by digest (<store>/blobs/sha256/<hex>): small, kept so
/// an image can be inspected later. Layer blobs are not kept once unpacked; on
/// a board the disk is better spent on one copy.
struct BlobStore: Sendable {
    let root: String

    func path(_ digest: String) throws -> String { root + "/" + (try Digest.hex(digest)) }

    /// Stores bytes after checking they hash to `digest`.
    func put(_ bytes: [UInt8], digest: String) throws {
        let actual = SHA256.digest(bytes)
        guard actual == digest else { throw ImageError("digest mismatch for blob \(digest): got \(actual)") }
        let p = try path(digest)
        if !Posix.exists(p) { try Posix.writeFileAtomically(p, bytes) }
    }

    func get(_ digest: String) throws -> [UInt8] { try Posix.readFile(try path(digest)) }

    func remove(_ digest: String) throws {
        let p = try path(digest)
        _ = p.withCString { unlink($0) }
    }
}

#if canImport(Glibc)
import Glibc
#endif
