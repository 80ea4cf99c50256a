import EdgeAPI
import EdgeRegistry

/// Shapes stored objects into response bodies.
enum Rendering {
    static func single(_ obj: JSON, _ strategy: any ResourceStrategy, _ shape: ResponseShape) -> JSON {
        switch shape {
        case .object: return obj
        case .metadata: return partialMetadata(obj)
        case .table(let include): return TableRenderer.table(strategy, [obj], includeObject: include, listMeta: nil)
        }
    }

    static func list(_ page: ListPage, _ strategy: any ResourceStrategy, _ shape: ResponseShape) -> JSON {
        let r = strategy.resource
        var meta: JSON = ["resourceVersion": .string(String(page.revision))]
        if let c = page.continueToken { meta["continue"] = .string(c) }
        switch shape {
        case .object:
            return ["kind": .string(r.listKind), "apiVersion": .string(r.apiVersion), "metadata": meta, "items": .array(page.items)]
        case .metadata:
            return ["kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1", "metadata": meta,
                    "items": .array(page.items.map(partialMetadata))]
        case .table(let include):
            return TableRenderer.table(strategy, page.items, includeObject: include, listMeta: meta)
        }
    }

    /// The body of `list(page, strategy, .object)` (with its closing newline)
    /// from items already encoded: the envelope is serialized as usual, with
    /// empty items, and the items go between its brackets.
    static func listBody(_ page: consuming EncodedListPage, _ r: ResourceInfo) -> [UInt8] {
        var meta: JSON = ["resourceVersion": .string(String(page.revision))]
        if let c = page.continueToken { meta["continue"] = .string(c) }
        let envelope: JSON = ["kind": .string(r.listKind), "apiVersion": .string(r.apiVersion), "metadata": meta, "items": []]
        var head: [UInt8] = []
        JSONSerializer.write(envelope, to: &head)
        // The envelope ends with its empty items and the closing brace: `[]}`.
        head.removeLast(2)
        // The items' buffer becomes the body (a large list is not copied into a second one).
        var out = page.joinedItems
        page.joinedItems = []
        out.reserveCapacity(out.count + head.count + 3)
        out.insert(contentsOf: head, at: 0)
        out.append(contentsOf: Array("]}\n".utf8))
        return out
    }

    static func partialMetadata(_ obj: JSON) -> JSON {
        ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj["metadata"] ?? [:]]
    }

    /// What DELETE answers once the object is gone, for resources whose registry does not return it:
    /// upstream's finalizeDelete Status (details name, group when not core, resource as kind, uid; no code).
    static func successStatus(_ obj: JSON, _ r: ResourceInfo) -> JSON {
        var details: JSON = ["name": obj[path: ["metadata", "name"]] ?? ""]
        if !r.group.isEmpty { details["group"] = .string(r.group) }
        details["kind"] = .string(r.plural)
        if let uid = obj[path: ["metadata", "uid"]] { details["uid"] = uid }
        return ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success", "details": details]
    }
}
