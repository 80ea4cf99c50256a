import Synchronization

/// The Kubernetes protobuf wire schema (ProtobufSchemaTable), parsed once on
/// first use into messages indexed by field number.
public struct ProtobufSchema: Sendable {
    public indirect enum FieldType: Sendable, Equatable {
        /// int32 and int64 are kept apart so decoding can refuse a number that does not fit.
        case string, bool, int32, int64, double, bytes
        case message(String)
        case repeated(FieldType)
        case map(FieldType)
    }

    public struct Field: Sendable {
        public var name: String
        public var type: FieldType
        /// A Go pointer: an explicit zero value means something and is kept.
        public var pointer: Bool
        /// An embedded struct whose fields JSON puts directly in the parent.
        public var inline: Bool = false
        /// Strategic merge: patch strategies and list merge key.
        public var patch = PatchMeta()
    }

    public struct Message: Sendable {
        public var name: String
        public var fields: [Int: Field]
        /// Serialised in JSON as the array of its `items` field.
        public var listWrapper: Bool
    }

    public let messages: [String: Message]

    public static let shared: ProtobufSchema = ProtobufSchema(table: ProtobufSchemaTable.text)

    init(table: String) {
        var out: [String: Message] = [:]
        for line in table.split(separator: "\n") {
            let cols = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
            var name = String(cols[0])
            let wrapper = name.hasPrefix("@")
            if wrapper { name.removeFirst() }
            var fields: [Int: Field] = [:]
            if cols.count > 1 {
                for spec in cols[1].split(separator: ";") {
                    let parts = spec.split(separator: ":", omittingEmptySubsequences: false)
                    guard parts.count >= 3, let num = Int(parts[1]) else { continue }
                    var f = Field(name: String(parts[0]), type: Self.parseType(Substring(parts[2])), pointer: false)
                    for flag in parts.dropFirst(3) {
                        if flag == "p" { f.pointer = true } else if flag == "i" { f.inline = true } else if flag.hasPrefix("P") {
                            let spec = flag.dropFirst().split(separator: "/")
                            f.patch = PatchMeta(strategies: spec[0].split(separator: ",").map(String.init),
                                                mergeKey: spec.count > 1 ? String(spec[1]) : nil)
                        }
                    }
                    fields[num] = f
                }
            }
            out[name] = Message(name: name, fields: fields, listWrapper: wrapper)
        }
        messages = out
    }

    static func parseType(_ code: Substring) -> FieldType {
        switch code.first {
        case "s": return .string
        case "b": return .bool
        case "i": return .int32
        case "l": return .int64
        case "d": return .double
        case "y": return .bytes
        case "m": return .message(String(code.dropFirst()))
        case "r": return .repeated(parseType(code.dropFirst()))
        case "M": return .map(parseType(code.dropFirst()))
        default: return .bytes
        }
    }

    /// The protobuf message of a kind: `apps/v1` Deployment → k8s.io.api.apps.v1.Deployment;
    /// the aggregator's APIService under k8s.io.kube_aggregator; meta kinds (DeleteOptions, Status) are found
    /// under meta/v1 whatever group sent them.
    public func messageName(apiVersion: String, kind: String) -> String? {
        let parts = apiVersion.split(separator: "/")
        let group = parts.count == 2 ? String(parts[0]) : ""
        let version = String(parts.last ?? "v1")
        let pkg = group.isEmpty ? "core" : String(group.split(separator: ".")[0])
        // Built one at a time: most kinds are the first, and every create and update asks.
        let api = "k8s.io.api." + pkg + "." + version + "." + kind
        if messages[api] != nil { return api }
        let aggregator = "k8s.io.kube_aggregator.pkg.apis." + pkg + "." + version + "." + kind
        if messages[aggregator] != nil { return aggregator }
        let meta = "k8s.io.apimachinery.pkg.apis.meta.v1." + kind
        return messages[meta] != nil ? meta : nil
    }
}
