/// Content digests as OCI writes them: "sha256:" and 64 lowercase hex digits.
enum Digest {
    static func isValid(_ digest: String) -> Bool {
        guard digest.hasPrefix("sha256:") else { return false }
        let hex = digest.utf8.dropFirst(7)
        return hex.count == 64 && hex.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }

    /// The hex part, used as a file name; refuses anything else so a digest from
    /// a manifest can never name a path outside the store.
    static func hex(_ digest: String) throws -> String {
        guard isValid(digest) else {
            if digest.contains(":") && !digest.hasPrefix("sha256:") {
                throw ImageError("unsupported digest algorithm in \(digest): only sha256 is supported")
            }
            throw ImageError("invalid digest \(digest): expected sha256:<64 hex digits>")
        }
        return String(digest.dropFirst(7))
    }
}
