/// A type an option or argument value converts to; a value that does not convert is a
/// usage error naming the option.
public protocol ExpressibleByArgument {
    init?(argument: String)
    /// Shown as "(default: ...)" in help.
    var defaultValueDescription: String { get }
}

extension ExpressibleByArgument {
    public var defaultValueDescription: String { "\(self)" }
}

extension String: ExpressibleByArgument {
    public init?(argument: String) { self = argument }
}

extension Int: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

extension Int64: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

extension Int32: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

extension UInt32: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

extension UInt16: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

extension Double: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}
