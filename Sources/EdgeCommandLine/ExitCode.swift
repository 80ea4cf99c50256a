/// Ends the command with this status and no message (the command printed its own).
public struct ExitCode: Error, Equatable, Sendable {
    public var rawValue: Int32

    public init(_ code: Int32) {
        rawValue = code
    }

    public static let success = ExitCode(0)
    public static let failure = ExitCode(1)
    /// EX_USAGE from sysexits.h, as for every usage error.
    public static let validationFailure = ExitCode(64)
}
