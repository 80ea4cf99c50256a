/// One validation failure, as upstream's field.Error: the field path, a type
/// that becomes the StatusCause reason, and the message body.
public struct FieldError: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case required = "FieldValueRequired", invalid = "FieldValueInvalid", duplicate = "FieldValueDuplicate"
        case notSupported = "FieldValueNotSupported", forbidden = "FieldValueForbidden", tooLong = "FieldValueTooLong"
        case typeInvalid = "FieldValueTypeInvalid", tooMany = "FieldValueTooMany"
    }

    public var kind: Kind
    public var field: String
    public var body: String

    public init(kind: Kind, field: String, body: String) {
        self.kind = kind
        self.field = field
        self.body = body
    }

    public static func required(_ field: String, _ detail: String = "") -> FieldError {
        FieldError(kind: .required, field: field, body: "Required value" + (detail.isEmpty ? "" : ": " + detail))
    }

    public static func invalid(_ field: String, _ value: JSON, _ detail: String) -> FieldError {
        FieldError(kind: .invalid, field: field, body: "Invalid value: \(goValue(value)): \(detail)")
    }

    public static func duplicate(_ field: String, _ value: JSON) -> FieldError {
        FieldError(kind: .duplicate, field: field, body: "Duplicate value: \(goValue(value))")
    }

    public static func notSupported(_ field: String, _ value: JSON, _ supported: [String]) -> FieldError {
        FieldError(kind: .notSupported, field: field,
                   body: "Unsupported value: \(goValue(value)): supported values: " + supported.map { "\"\($0)\"" }.joined(separator: ", "))
    }

    public static func forbidden(_ field: String, _ detail: String) -> FieldError {
        FieldError(kind: .forbidden, field: field, body: "Forbidden: " + detail)
    }

    public static func immutable(_ field: String, _ value: JSON) -> FieldError {
        FieldError(kind: .invalid, field: field, body: "Invalid value: \(goValue(value)): field is immutable")
    }

    public var message: String { "\(field): \(body)" }

    /// Values printed the way Go's %#v-ish formatting in upstream messages looks.
    public static func goValue(_ v: JSON) -> String {
        switch v {
        case .string(let s): return goQuoted(s)
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .bool(let b): return String(b)
        case .null: return "null"
        case .object(let o):
            let inner = o.sortedKeys.map { "\"\($0)\":\(goValue(o[$0]!))" }.joined(separator: ", ")
            return "map[string]string{\(inner)}"
        case .array(let a): return "[]string{" + a.map(goValue).joined(separator: ", ") + "}"
        }
    }

    /// A string as Go's %q prints it (field.Error quotes string values so): quotes, backslashes and
    /// control characters escaped, so a value cannot break the message it is printed in.
    public static func goQuoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20 || u.value == 0x7f:
                let hex = String(u.value, radix: 16)
                out += "\\x" + (hex.count < 2 ? "0" + hex : hex)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }

    /// The Status message: `Kind.group "name" is invalid: [a, b]` (no brackets for one error).
    public static func statusMessage(kind: String, group: String, name: String, _ errors: [FieldError]) -> String {
        let qualified = group.isEmpty ? kind : "\(kind).\(group)"
        let list = errors.map(\.message)
        let joined = list.count == 1 ? list[0] : "[" + list.joined(separator: ", ") + "]"
        return "\(qualified) \"\(name)\" is invalid: \(joined)"
    }
}
