import EdgeAPI
import EdgeRuntime
#if canImport(Glibc)
import Glibc
#endif

/// Makes a pod's volumes on the node: emptyDir (a directory, or tmpfs for
/// medium Memory), hostPath (with its type checks), and configMap, secret,
/// downwardAPI and projected volumes written atomically (secrets on tmpfs so
/// they never reach the SD card).
struct VolumeBuilder {
    struct Prepared: Sendable {
        var path: String
        /// configMap, secret, downwardAPI and projected volumes are always mounted read-only, as upstream.
        var readOnly: Bool
    }

    struct VolumeError: Error, CustomStringConvertible { let description: String }

    let paths: PodPaths
    let objects: PodObjects
    let hostIP: String
    let podIP: String?
    let allocatable: [String: String]

    func prepare(_ pod: JSON) async throws -> [String: Prepared] {
        var out: [String: Prepared] = [:]
        for v in pod[path: ["spec", "volumes"]]?.array ?? [] {
            guard let name = v["name"]?.string else { continue }
            let dir = paths.volume(name)
            if let e = v["emptyDir"] {
                try PosixFile.makeDirectories(dir, mode: 0o777)
                chmod(dir, 0o777)
                if e["medium"]?.string == "Memory" {
                    let size = e["sizeLimit"].flatMap(QuantityValue.milli).flatMap { QuantityValue.saturatingInt64($0 / 1000) }.map { ",size=\($0)" } ?? ""
                    try mountTmpfs(dir, options: "mode=777" + size)
                }
                out[name] = Prepared(path: dir, readOnly: false)
            } else if let h = v["hostPath"] {
                out[name] = Prepared(path: try hostPath(h), readOnly: false)
            } else if let cm = v["configMap"] {
                try AtomicVolumeWriter.write(dir, try await projectedFiles(kind: "configmap", cm, defaultMode: cm["defaultMode"]?.int))
                out[name] = Prepared(path: dir, readOnly: true)
            } else if let s = v["secret"] {
                try mountTmpfs(dir, options: "mode=755")
                var ref = s
                ref["name"] = s["secretName"] ?? ""
                try AtomicVolumeWriter.write(dir, try await projectedFiles(kind: "secret", ref, defaultMode: s["defaultMode"]?.int))
                out[name] = Prepared(path: dir, readOnly: true)
            } else if let d = v["downwardAPI"] {
                try AtomicVolumeWriter.write(dir, try downwardFiles(d["items"]?.array ?? [], pod: pod, defaultMode: d["defaultMode"]?.int))
                out[name] = Prepared(path: dir, readOnly: true)
            } else if let p = v["projected"] {
                try mountTmpfs(dir, options: "mode=755")  // tokens and secrets stay in memory
                try await writeProjected(p, into: dir, pod: pod)
                out[name] = Prepared(path: dir, readOnly: true)
            } else {
                throw VolumeError(description: "volume \(name): only emptyDir, hostPath, configMap, secret, downwardAPI and projected volumes are supported on edgectl nodes")
            }
        }
        return out
    }

    /// Keys of a ConfigMap or Secret as files: all keys, or the listed items (key, path, mode).
    func writeProjected(_ p: JSON, into dir: String, pod: JSON) async throws {
        var files: [AtomicVolumeWriter.File] = []
        let mode = p["defaultMode"]?.int
        for src in p["sources"]?.array ?? [] {
            if let cm = src["configMap"] { files += try await projectedFiles(kind: "configmap", cm, defaultMode: mode) }
            if let s = src["secret"] { files += try await projectedFiles(kind: "secret", s, defaultMode: mode) }
            if let d = src["downwardAPI"] { files += try downwardFiles(d["items"]?.array ?? [], pod: pod, defaultMode: mode) }
            if let t = src["serviceAccountToken"] {
                let token = try await objects.serviceAccountToken(pod: pod, audience: t["audience"]?.string,
                                                                   expirationSeconds: Self.tokenSeconds(t))
                files.append(.init(path: t["path"]?.string ?? "token", bytes: Array(token.utf8), mode: VolumeFileMode.mode(mode)))
            }
        }
        try AtomicVolumeWriter.write(dir, files)
    }

    static func tokenSeconds(_ source: JSON) -> Int64 { source["expirationSeconds"]?.int ?? 3600 }

    /// Seconds until the pod's projected tokens are due for renewal: 80 % of the shortest lifetime, as
    /// upstream's kubelet renews; nil when the pod has none.
    static func tokenRefreshSeconds(_ pod: JSON) -> Int64? {
        let lifetimes = (pod[path: ["spec", "volumes"]]?.array ?? []).flatMap { v in
            (v[path: ["projected", "sources"]]?.array ?? []).compactMap { $0["serviceAccountToken"].map(tokenSeconds) }
        }
        return lifetimes.min().map { max(1, $0.multipliedReportingOverflow(by: 4).partialValue / 5) }
    }

    /// Writes every projected volume holding a token again (a fresh token, and what else it projects).
    func refreshTokens(_ pod: JSON) async throws {
        for v in pod[path: ["spec", "volumes"]]?.array ?? [] {
            guard let name = v["name"]?.string, let p = v["projected"],
                  (p["sources"]?.array ?? []).contains(where: { $0["serviceAccountToken"] != nil }) else { continue }
            try await writeProjected(p, into: paths.volume(name), pod: pod)
        }
    }

    func projectedFiles(kind: String, _ ref: JSON, defaultMode: Int64?) async throws -> [AtomicVolumeWriter.File] {
        let name = ref["name"]?.string ?? ""
        let mode = VolumeFileMode.mode(defaultMode)
        guard let data = try await objects.data(kind, name) else {
            if ref["optional"]?.bool == true { return [] }
            throw VolumeError(description: "\(kind) \"\(name)\" not found")
        }
        guard let items = ref["items"]?.array, !items.isEmpty else {
            return data.map { .init(path: $0.0, bytes: $0.1, mode: mode) }
        }
        var out: [AtomicVolumeWriter.File] = []
        for item in items {
            let key = item["key"]?.string ?? ""
            guard let bytes = data.first(where: { $0.0 == key })?.1 else {
                if ref["optional"]?.bool == true { continue }
                throw VolumeError(description: "configmap references non-existent config key: \(key)")
            }
            out.append(.init(path: item["path"]?.string ?? key, bytes: bytes, mode: item["mode"]?.int.map { VolumeFileMode.mode($0, default: mode) } ?? mode))
        }
        return out
    }

    func downwardFiles(_ items: [JSON], pod: JSON, defaultMode: Int64?) throws -> [AtomicVolumeWriter.File] {
        let first = pod[path: ["spec", "containers", "0", "name"]]?.string ?? (pod[path: ["spec", "containers"]]?.array?.first?["name"]?.string ?? "")
        return try items.map { item in
            let text: String
            if let f = item["fieldRef"] {
                text = try FieldPaths.value(f["fieldPath"]?.string ?? "", pod: pod, hostIP: hostIP, podIP: podIP)
            } else if let r = item["resourceFieldRef"] {
                text = try FieldPaths.resource(r, pod: pod, defaultContainer: first, allocatable: allocatable)
            } else {
                text = ""
            }
            return .init(path: item["path"]?.string ?? "", bytes: Array(text.utf8), mode: VolumeFileMode.mode(item["mode"]?.int ?? defaultMode))
        }
    }

    /// hostPath types as upstream checks them; the OrCreate kinds make what is missing.
    func hostPath(_ h: JSON) throws -> String {
        let path = h["path"]?.string ?? ""
        let type = h["type"]?.string ?? ""
        var st = stat()
        let exists = stat(path, &st) == 0
        let kind = st.st_mode & S_IFMT
        switch type {
        case "DirectoryOrCreate":
            if !exists { try PosixFile.makeDirectories(path) } else if kind != S_IFDIR { throw VolumeError(description: "hostPath type check failed: \(path) is not a directory") }
        case "Directory":
            guard exists, kind == S_IFDIR else { throw VolumeError(description: "hostPath type check failed: \(path) is not a directory") }
        case "FileOrCreate":
            if !exists {
                if let slash = path.lastIndex(of: "/"), slash != path.startIndex { try PosixFile.makeDirectories(String(path[..<slash])) }
                let fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0o644)
                if fd >= 0 { close(fd) }
            } else if kind != S_IFREG { throw VolumeError(description: "hostPath type check failed: \(path) is not a file") }
        case "File":
            guard exists, kind == S_IFREG else { throw VolumeError(description: "hostPath type check failed: \(path) is not a file") }
        case "Socket":
            guard exists, kind == S_IFSOCK else { throw VolumeError(description: "hostPath type check failed: \(path) is not a socket file") }
        case "CharDevice":
            guard exists, kind == S_IFCHR else { throw VolumeError(description: "hostPath type check failed: \(path) is not a character device") }
        case "BlockDevice":
            guard exists, kind == S_IFBLK else { throw VolumeError(description: "hostPath type check failed: \(path) is not a block device") }
        default:
            break
        }
        return path
    }

    func mountTmpfs(_ dir: String, options: String) throws {
        try PosixFile.makeDirectories(dir)
        var a = stat(), b = stat()
        if stat(dir, &a) == 0, stat(dir + "/..", &b) == 0, a.st_dev != b.st_dev { return }  // mounted by an earlier sync
        guard mount("tmpfs", dir, "tmpfs", UInt(MS_NOSUID | MS_NODEV), options) == 0 else {
            throw VolumeError(description: "failed to mount tmpfs on \(dir): \(String(cString: strerror(errno)))")
        }
    }
}
