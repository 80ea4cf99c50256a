import EdgeAPI

/// The gateway's JSON forms: bytes as base64, int64 as decimal strings (protobuf's JSON mapping).
enum EtcdJSON {
    static func bytes(_ s: String) -> JSON { .string(Base64.encode(Array(s.utf8))) }
    static func bytes(_ b: [UInt8]) -> JSON { .string(Base64.encode(b)) }
    static func int(_ v: Int64) -> JSON { .string(String(v)) }

    static func int64(_ j: JSON?) -> Int64 {
        guard let j else { return 0 }
        if let s = j.string { return Int64(s) ?? 0 }
        return j.int ?? 0
    }

    static func decodeBytes(_ j: JSON?) -> [UInt8] {
        guard let s = j?.string else { return [] }
        return Base64.decode(s) ?? []
    }

    static func key(_ j: JSON?) -> String { String(decoding: decodeBytes(j), as: UTF8.self) }

    static func keyValue(_ j: JSON) -> KeyValue {
        KeyValue(key: key(j["key"]), value: decodeBytes(j["value"]),
                 createRevision: int64(j["create_revision"]), modRevision: int64(j["mod_revision"]))
    }

    /// The smallest key after every key starting with `prefix` (etcd's range_end for a prefix; "\0" = all keys).
    static func prefixEnd(_ prefix: String) -> [UInt8] {
        var b = Array(prefix.utf8)
        while let last = b.last {
            if last < 0xFF { b[b.count - 1] = last + 1; return b }
            b.removeLast()
        }
        return [0]
    }

    static func revision(_ response: JSON) -> Int64 { int64(response["header"]?["revision"]) }

    /// A watch event as the Backend contract has it: a delete carries the last value (from prev_kv) with the
    /// deletion's revision.
    static func event(_ e: JSON) -> WatchEvent {
        let kvJSON = e["kv"] ?? [:]
        let prev = e["prev_kv"].map(keyValue)
        if e["type"]?.string == "DELETE" {
            let kv = KeyValue(key: key(kvJSON["key"]), value: prev?.value ?? [], createRevision: prev?.createRevision ?? 0,
                              modRevision: int64(kvJSON["mod_revision"]))
            return WatchEvent(type: .delete, kv: kv, prevKV: prev, isCreate: false)
        }
        let kv = keyValue(kvJSON)
        let isCreate = kv.createRevision == kv.modRevision
        return WatchEvent(type: .put, kv: kv, prevKV: isCreate ? nil : prev, isCreate: isCreate)
    }
}
