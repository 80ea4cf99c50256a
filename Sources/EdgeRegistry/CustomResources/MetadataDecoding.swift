import EdgeAPI

/// Typed decoding of the one part of a custom object (or a definition, which
/// has no wire type here) that has a Go type upstream: its ObjectMeta. A
/// number past metadata.generation's int64 is a 400 worded as Go's decoder
/// words it, as for every built-in kind.
enum MetadataDecoding {
    /// Any built-in message whose `metadata` is ObjectMeta serves as the wrapper.
    static let wrapper = "k8s.io.api.core.v1.ConfigMap"

    static func check(_ obj: JSON) -> DecodeReport {
        guard let meta = obj["metadata"], meta.object != nil else { return DecodeReport() }
        var report = APISchema.shared.checkDecoding(["metadata": meta], message: wrapper)
        report.unknownFields = report.unknownFields.filter { $0.hasPrefix("metadata.") }
        return report
    }

    static func prune(_ obj: inout JSON) {
        guard let meta = obj["metadata"], meta.object != nil else { return }
        var wrapped: JSON = ["metadata": meta]
        APISchema.shared.pruneUnknownFields(&wrapped, message: wrapper)
        obj["metadata"] = wrapped["metadata"]
    }
}
