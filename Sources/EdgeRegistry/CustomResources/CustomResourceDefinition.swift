import EdgeAPI

/// A typed view of an apiextensions.k8s.io/v1 CustomResourceDefinition object:
/// what the controller and the custom resource strategy read from it.
public struct CustomResourceDefinition: Sendable {
    public struct Names: Sendable, Equatable {
        public var plural: String
        public var singular: String
        public var kind: String
        public var listKind: String
        public var shortNames: [String]
        public var categories: [String]

        init(_ j: JSON?) {
            plural = j?["plural"]?.string ?? ""
            kind = j?["kind"]?.string ?? ""
            let s = j?["singular"]?.string ?? ""
            singular = s.isEmpty ? kind.lowercased() : s
            let l = j?["listKind"]?.string ?? ""
            listKind = l.isEmpty ? kind + "List" : l
            shortNames = (j?["shortNames"]?.array ?? []).compactMap(\.string)
            categories = (j?["categories"]?.array ?? []).compactMap(\.string)
        }

        public var json: JSON {
            var o: JSON = ["plural": .string(plural), "singular": .string(singular), "kind": .string(kind), "listKind": .string(listKind)]
            if !shortNames.isEmpty { o["shortNames"] = .array(shortNames.map { .string($0) }) }
            if !categories.isEmpty { o["categories"] = .array(categories.map { .string($0) }) }
            return o
        }
    }

    public struct PrinterColumn: Sendable {
        public var name: String
        public var type: String
        public var format: String
        public var description: String
        public var priority: Int
        public var jsonPath: String
    }

    public struct Scale: Sendable {
        public var specReplicasPath: String
        public var statusReplicasPath: String
        public var labelSelectorPath: String?
    }

    public struct Version: Sendable {
        public var name: String
        public var served: Bool
        public var storage: Bool
        public var deprecated: Bool
        public var deprecationWarning: String?
        /// The openAPIV3Schema as written.
        public var schemaJSON: JSON?
        public var hasStatus: Bool
        public var scale: Scale?
        public var printerColumns: [PrinterColumn]
        /// selectableFields' jsonPaths without the leading dot (`spec.color`).
        public var selectableFields: [String]
    }

    public var name: String
    public var uid: String
    public var group: String
    public var names: Names
    public var namespaced: Bool
    public var versions: [Version]
    public var conversionStrategy: String
    public var deleting: Bool
    public let json: JSON

    public init(_ j: JSON) {
        json = j
        name = j[path: ["metadata", "name"]]?.string ?? ""
        uid = j[path: ["metadata", "uid"]]?.string ?? ""
        group = j[path: ["spec", "group"]]?.string ?? ""
        names = Names(j[path: ["spec", "names"]])
        namespaced = j[path: ["spec", "scope"]]?.string != "Cluster"
        conversionStrategy = j[path: ["spec", "conversion", "strategy"]]?.string ?? "None"
        deleting = j[path: ["metadata", "deletionTimestamp"]] != nil
        versions = (j[path: ["spec", "versions"]]?.array ?? []).map { v in
            let scale = v[path: ["subresources", "scale"]]
            return Version(
                name: v["name"]?.string ?? "",
                served: v["served"]?.bool ?? false,
                storage: v["storage"]?.bool ?? false,
                deprecated: v["deprecated"]?.bool ?? false,
                deprecationWarning: v["deprecationWarning"]?.string,
                schemaJSON: v[path: ["schema", "openAPIV3Schema"]],
                hasStatus: v[path: ["subresources", "status"]] != nil,
                scale: scale.map { s in
                    Scale(specReplicasPath: s["specReplicasPath"]?.string ?? "", statusReplicasPath: s["statusReplicasPath"]?.string ?? "",
                          labelSelectorPath: s["labelSelectorPath"]?.string)
                },
                printerColumns: (v["additionalPrinterColumns"]?.array ?? []).map { c in
                    PrinterColumn(name: c["name"]?.string ?? "", type: c["type"]?.string ?? "string", format: c["format"]?.string ?? "",
                                  description: c["description"]?.string ?? "", priority: c["priority"]?.clampedInt ?? 0,
                                  jsonPath: c["jsonPath"]?.string ?? "")
                },
                selectableFields: (v["selectableFields"]?.array ?? []).compactMap { $0["jsonPath"]?.string.map { String($0.dropFirst()) } })
        }
    }

    public var storageVersion: String? { versions.first(where: \.storage)?.name }

    /// The names the definition asked for have been accepted (the controller's NamesAccepted condition).
    public var acceptedNames: Names? {
        guard let a = json[path: ["status", "acceptedNames"]], !(a["plural"]?.string ?? "").isEmpty else { return nil }
        return Names(a)
    }

    public func condition(_ type: String) -> JSON? {
        json[path: ["status", "conditions"]]?.array?.first { $0["type"]?.string == type }
    }

    public func isTrue(_ type: String) -> Bool { condition(type)?["status"]?.string == "True" }

    /// `.spec.replicas` → ["spec", "replicas"]; nil for anything but a simple dotted path.
    static func dottedPath(_ p: String) -> [String]? {
        guard p.hasPrefix("."), p.count > 1 else { return nil }
        let parts = p.dropFirst().split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.allSatisfy({ !$0.isEmpty && !$0.contains("[") && !$0.contains("]") }) else { return nil }
        return parts
    }
}
