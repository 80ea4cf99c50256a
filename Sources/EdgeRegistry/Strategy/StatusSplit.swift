import EdgeAPI

/// Upstream's spec/status split for kinds with a status subresource: a write
/// of the object keeps the stored status, a write of `status` keeps
/// everything else (but takes the metadata sent, for labels and annotations
/// and the resourceVersion precondition). Other subresources are the
/// strategy's to handle.
public enum StatusSplit {
    public static func apply(_ new: inout JSON, old: JSON, subresource: String?, hasStatus: Bool) {
        switch subresource {
        case "status":
            var out = old
            out["status"] = new["status"]
            out["metadata"] = new["metadata"] ?? old["metadata"]
            new = out
        case nil, "scale":
            if hasStatus { new["status"] = old["status"] }
        default:
            break
        }
    }

    /// Status fields upstream's Go types always serialise (int32 without omitempty): present as 0
    /// when nothing set them, so clients that require them (the Python client's models) can read every object.
    public static func fillZeros(_ obj: inout JSON, _ fields: [String]) {
        guard obj["status"]?.object != nil || obj["status"] == nil else { return }
        for f in fields where obj[path: ["status", f]] == nil || obj[path: ["status", f]]?.isNull == true {
            obj[path: ["status", f]] = 0
        }
    }
}
