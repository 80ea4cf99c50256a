/// The file paths of a pod's configMap, secret, downwardAPI and projected
/// volumes, as upstream's validateVolumeSource checks them, with its field
/// paths (some name the volume source rather than the item, as upstream's do).
enum PodVolumeValidator {
    static func volume(_ v: JSON, path: String) -> [FieldError] {
        var errs: [FieldError] = []
        if let cm = v["configMap"] { errs += keyToPaths(cm["items"], path: path + ".configMap.items") }
        if let s = v["secret"] { errs += keyToPaths(s["items"], path: path + ".secret.items") }
        if let d = v["downwardAPI"] { errs += downwardFiles(d["items"], path: path + ".downwardAPI") }
        if let p = v["projected"] {
            for (i, source) in (p["sources"]?.array ?? []).enumerated() {
                let sp = "\(path).projected.sources[\(i)]"
                if let s = source["secret"] { errs += keyToPaths(s["items"], path: sp + ".secret.items") }
                if let cm = source["configMap"] { errs += keyToPaths(cm["items"], path: sp + ".configMap.items") }
                if let d = source["downwardAPI"] { errs += downwardFiles(d["items"], path: sp + ".downwardAPI") }
                if let t = source["serviceAccountToken"] {
                    // Upstream names the projected source here, not the token entry.
                    let tokenPath = t["path"]?.string ?? ""
                    if tokenPath.isEmpty { errs.append(.required(path + ".projected.path")) } else {
                        errs += LocalPathRules.nonReserved(path + ".projected.path", tokenPath)
                    }
                }
            }
        }
        return errs
    }

    /// configMap and secret items: key and path required, the path local and not reserved.
    static func keyToPaths(_ items: JSON?, path: String) -> [FieldError] {
        var errs: [FieldError] = []
        for (i, item) in (items?.array ?? []).enumerated() {
            let ip = "\(path)[\(i)]"
            if (item["key"]?.string ?? "").isEmpty { errs.append(.required(ip + ".key")) }
            let p = item["path"]?.string ?? ""
            if p.isEmpty { errs.append(.required(ip + ".path")) }
            errs += LocalPathRules.nonReserved(ip + ".path", p)
        }
        return errs
    }

    /// downwardAPI items: upstream reports them at the source's `path`, without the item's index.
    static func downwardFiles(_ items: JSON?, path: String) -> [FieldError] {
        var errs: [FieldError] = []
        for item in items?.array ?? [] {
            let p = item["path"]?.string ?? ""
            if p.isEmpty { errs.append(.required(path + ".path")) }
            errs += LocalPathRules.nonReserved(path + ".path", p)
        }
        return errs
    }
}
