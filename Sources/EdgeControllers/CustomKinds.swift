import EdgeAPI
import Synchronization

/// The custom resources the garbage collector follows, learned from
/// established CustomResourceDefinitions (one resource per definition, at
/// its storage version: every served version reads the same objects).
public final class CustomKinds: Sendable {
    private let kinds = Mutex<[String: ResourceInfo]>([:])

    public init() {}

    /// The resource an established definition serves; nil while it is not established.
    public static func resource(ofDefinition crd: JSON) -> ResourceInfo? {
        let established = (crd[path: ["status", "conditions"]]?.array ?? []).contains {
            $0["type"]?.string == "Established" && $0["status"]?.string == "True"
        }
        guard established, crd[path: ["metadata", "deletionTimestamp"]] == nil,
              let group = crd[path: ["spec", "group"]]?.string,
              let plural = crd[path: ["status", "acceptedNames", "plural"]]?.string, !plural.isEmpty,
              let kind = crd[path: ["status", "acceptedNames", "kind"]]?.string,
              let version = (crd[path: ["spec", "versions"]]?.array ?? []).first(where: { $0["storage"]?.bool == true })?["name"]?.string
        else { return nil }
        let listKind = crd[path: ["status", "acceptedNames", "listKind"]]?.string
        return ResourceInfo(group: group, version: version, kind: kind, plural: plural,
                            namespaced: crd[path: ["spec", "scope"]]?.string != "Cluster",
                            listKind: listKind.flatMap { $0.isEmpty ? nil : $0 })
    }

    /// Returns true when the resource was not followed yet.
    @discardableResult
    public func add(definition name: String, _ r: ResourceInfo) -> Bool {
        kinds.withLock { k in
            let isNew = k[name] != r
            k[name] = r
            return isNew
        }
    }

    public func remove(definition name: String) -> ResourceInfo? { kinds.withLock { $0.removeValue(forKey: name) } }

    public var all: [ResourceInfo] { kinds.withLock { Array($0.values) } }

    /// An owner reference's apiVersion may name any served version: match on group and kind.
    public func lookup(apiVersion: String, kind: String) -> ResourceInfo? {
        let group = apiVersion.contains("/") ? String(apiVersion.split(separator: "/")[0]) : ""
        return all.first { $0.group == group && $0.kind == kind }
    }
}
