import EdgeAPI

/// Everything a write carries besides its object, from the HTTP request down to
/// the store, admission and (with server-side apply) managed fields: who
/// writes, under which field manager, whether it is a dry run, how unknown
/// fields are treated, and which subresource is written.
public struct WriteContext: Sendable {
    public var user: UserInfo
    /// `?fieldManager=`, or what the User-Agent names when the client gave none (as upstream's default).
    public var fieldManager: String
    /// `?dryRun=All`: admitted, validated and answered, never stored.
    public var dryRun: Bool
    public var fieldValidation: FieldValidation
    /// `status`, `scale`, `binding`, ... nil for the object itself.
    public var subresource: String?
    /// A server-side apply: the apply itself recorded managedFields, the store does not record an Update.
    public var isApply = false

    public init(user: UserInfo, fieldManager: String = "", dryRun: Bool = false, fieldValidation: FieldValidation = .warn,
                subresource: String? = nil) {
        self.user = user
        self.fieldManager = fieldManager
        self.dryRun = dryRun
        self.fieldValidation = fieldValidation
        self.subresource = subresource
    }

    /// A write the API server makes on its own behalf (bootstrap objects, namespace clean-up).
    public static let apiServer = WriteContext(user: .apiServer, fieldManager: "kube-apiserver")

    public func with(subresource: String?) -> WriteContext {
        var c = self
        c.subresource = subresource
        return c
    }

    public func with(dryRun: Bool) -> WriteContext {
        var c = self
        c.dryRun = dryRun
        return c
    }

    /// Upstream's default field manager: the User-Agent up to its first "/", printable characters only,
    /// at most 128 bytes (`kubectl/v1.37.0 (linux/amd64) ...` → `kubectl`).
    public static func fieldManager(fromUserAgent userAgent: String?) -> String {
        guard let userAgent else { return "" }
        var out = ""
        var bytes = 0
        for ch in userAgent.prefix(while: { $0 != "/" }).unicodeScalars where isPrintable(ch) {
            let n = String(ch).utf8.count
            if bytes + n > maxFieldManagerLength { break }
            out.unicodeScalars.append(ch)
            bytes += n
        }
        return out
    }

    public static let maxFieldManagerLength = 128

    /// Go's unicode.IsPrint, near enough: no control or format characters, spaces only as U+0020.
    public static func isPrintable(_ c: Unicode.Scalar) -> Bool {
        switch c.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator: return false
        case .spaceSeparator: return c == " "
        default: return true
        }
    }
}
