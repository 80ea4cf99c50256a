import EdgeAPI
import EdgeStore

/// Turns stored bytes into API objects and back. The store never holds
/// resourceVersion: it is the key's modRevision, set on the way out, as etcd3
/// storage does upstream, so a write never has to know its revision in advance.
public enum ObjectCodec {
    public static func decode(_ kv: KeyValue) throws -> JSON {
        var obj: JSON
        do {
            obj = try JSONParser.parse(kv.value)
        } catch {
            throw APIError.internalError("stored object \(kv.key) is corrupt: \(error)")
        }
        obj[path: ["metadata", "resourceVersion"]] = .string(String(kv.modRevision))
        return obj
    }

    public static func encode(_ obj: JSON) -> [UInt8] {
        var o = obj
        o[path: ["metadata", "resourceVersion"]] = nil
        return JSONSerializer.serialize(o)
    }

    public static func revision(of obj: JSON) -> Int64? {
        obj[path: ["metadata", "resourceVersion"]]?.string.flatMap { Int64($0) }
    }
}
