import EdgeAPI

/// meta.k8s.io/v1 Table responses for `kubectl get`.
enum TableRenderer {
    static func table(_ r: ResourceInfo, _ items: [JSON], includeObject: String, listMeta: JSON?) -> JSON {
        let now = Timestamp.now()
        let columns: [JSON] = [
            ["name": "Name", "type": "string", "format": "name", "description": "Name of the object", "priority": 0],
            ["name": "Age", "type": "string", "format": "", "description": "Time since creation", "priority": 0],
        ]
        let rows: [JSON] = items.map { obj in
            let created = obj[path: ["metadata", "creationTimestamp"]]?.string.flatMap { Timestamp(rfc3339: $0) }
            let age = created.map { "\(max(0, now.seconds - $0.seconds))s" } ?? "<unknown>"
            return ["cells": [obj[path: ["metadata", "name"]] ?? "", .string(age)], "object": rowObject(obj, includeObject)]
        }
        return ["kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": listMeta ?? [:],
                "columnDefinitions": .array(columns), "rows": .array(rows)]
    }

    static func rowObject(_ obj: JSON, _ include: String) -> JSON {
        switch include {
        case "None": return .null
        case "Object": return obj
        default: return Rendering.partialMetadata(obj)
        }
    }
}
