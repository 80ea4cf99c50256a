import EdgeAPI
import EdgeRegistry

/// meta.k8s.io/v1 Table responses for `kubectl get`, with the resource's
/// columns and the row object the client asked for.
enum TableRenderer {
    static func table(_ strategy: any ResourceStrategy, _ items: [JSON], includeObject: String, listMeta: JSON?) -> JSON {
        TableConvertor.table(columns: strategy.tableColumns, items: items, now: Timestamp.now(), listMeta: listMeta) { rowObject($0, includeObject) }
    }

    static func rowObject(_ obj: JSON, _ include: String) -> JSON {
        switch include {
        case "None": return .null
        case "Object": return obj
        default: return Rendering.partialMetadata(obj)
        }
    }
}
