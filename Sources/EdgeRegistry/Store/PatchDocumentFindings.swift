import EdgeAPI

/// Strict decoding findings about a patch document itself, which upstream
/// reports before those about the patched object: keys a merge patch repeats
/// (named by their path in the patch), and for a JSON patch the operations'
/// repeated or unknown members (`json patch unknown field "[0].foo"`).
public enum PatchDocumentFindings {
    static let operationMembers: Set<String> = ["op", "path", "value", "from"]

    public static func list(_ kind: PatchKind, _ doc: JSON, duplicates: DuplicateKeys) -> [String] {
        guard kind == .json else { return duplicates.paths.map { "duplicate field \"\($0)\"" } }
        var out: [String] = []
        for (i, op) in (doc.array ?? []).enumerated() {
            for k in op.object?.keys ?? [] where !operationMembers.contains(k) {
                out.append("json patch unknown field \"[\(i)].\(k)\"")
            }
            for k in op.object?.keys ?? [] where duplicates.paths.contains("[\(i)].\(k)") {
                out.append("json patch duplicate field \"[\(i)].\(k)\"")
            }
        }
        return out
    }
}
