/// The help of one option, flag or argument: its text, the name of its value in usage
/// (`--node-cert-lifetime <duration>`), and whether `--help` lists it.
public struct ArgumentHelp: ExpressibleByStringLiteral, Sendable {
    public var abstract: String
    public var valueName: String?
    public var visibility: ArgumentVisibility

    public init(_ abstract: String = "", valueName: String? = nil, visibility: ArgumentVisibility = .default) {
        self.abstract = abstract
        self.valueName = valueName
        self.visibility = visibility
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }
}
