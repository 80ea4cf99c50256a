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

    /// Appends the JSON of `decode(kv)` to `out`. Stored bytes in the
    /// serializer's canonical form (all the store writes) are copied with the
    /// resourceVersion spliced in, without building the object; others are
    /// decoded and serialized, which gives the same bytes, only slower.
    public static func appendEncoded(_ kv: KeyValue, to out: inout [UInt8]) throws {
        guard let end = CanonicalJSONScanner.metadataEnd(kv.value) else {
            JSONSerializer.write(try decode(kv), to: &out)
            return
        }
        appendSpliced(kv, end, from: 0, to: kv.value.count, &out)
    }

    /// Appends the JSON of `decode(kv)` as a read through `strategy` sees it
    /// (after its `convertFromStorage`): the stored bytes spliced as by
    /// `appendEncoded` when the strategy says that conversion leaves this
    /// object as stored, else the converted object serialized.
    public static func appendEncoded(_ kv: KeyValue, readThrough strategy: any ResourceStrategy, to out: inout [UInt8]) throws {
        guard let end = CanonicalJSONScanner.metadataEnd(kv.value), servedAsStored(kv, end, strategy) else {
            var obj = try decode(kv)
            strategy.convertFromStorage(&obj)
            JSONSerializer.write(obj, to: &out)
            return
        }
        appendSpliced(kv, end, from: 0, to: kv.value.count, &out)
    }

    /// Appends the JSON of `decode(kv)["metadata"]` as a read through `strategy` sees it, the same way.
    public static func appendEncodedMetadata(_ kv: KeyValue, readThrough strategy: any ResourceStrategy, to out: inout [UInt8]) throws {
        guard let end = CanonicalJSONScanner.metadataEnd(kv.value), servedAsStored(kv, end, strategy) else {
            var obj = try decode(kv)
            strategy.convertFromStorage(&obj)
            JSONSerializer.write(obj["metadata"] ?? [:], to: &out)
            return
        }
        appendSpliced(kv, end, from: end.open, to: end.close + 1, &out)
    }

    /// Whether `strategy.convertFromStorage` leaves this stored object unchanged.
    static func servedAsStored(_ kv: KeyValue, _ end: CanonicalJSONScanner.MetadataEnd, _ strategy: any ResourceStrategy) -> Bool {
        switch strategy.storedForm {
        case .servedAsStored:
            return true
        case .servedAsStoredWithAPIVersion(let apiVersion):
            guard let range = end.apiVersion else { return false }
            return kv.value[range].elementsEqual(apiVersion.utf8)
        case .converted:
            return false
        }
    }

    /// Appends the JSON of `decode(kv)["metadata"]` to `out`, the same way.
    public static func appendEncodedMetadata(_ kv: KeyValue, to out: inout [UInt8]) throws {
        guard let end = CanonicalJSONScanner.metadataEnd(kv.value) else {
            JSONSerializer.write(try decode(kv)["metadata"] ?? [:], to: &out)
            return
        }
        appendSpliced(kv, end, from: end.open, to: end.close + 1, &out)
    }

    /// Stored bytes `from..<to` with the resourceVersion field added at the end of metadata.
    static func appendSpliced(_ kv: KeyValue, _ end: CanonicalJSONScanner.MetadataEnd, from: Int, to: Int, _ out: inout [UInt8]) {
        kv.value.withUnsafeBufferPointer { v in
            out.append(contentsOf: UnsafeBufferPointer(rebasing: v[from..<end.close]))
            if !end.isEmpty { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: resourceVersionField)
            out.append(contentsOf: String(kv.modRevision).utf8)
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: UnsafeBufferPointer(rebasing: v[end.close..<to]))
        }
    }

    static let resourceVersionField = Array("\"resourceVersion\":\"".utf8)

    public static func encode(_ obj: JSON) -> [UInt8] {
        var o = obj
        o[path: ["metadata", "resourceVersion"]] = nil
        return JSONSerializer.serialize(o)
    }

    public static func revision(of obj: JSON) -> Int64? {
        obj[path: ["metadata", "resourceVersion"]]?.string.flatMap { Int64($0) }
    }
}
