/// Why parsing stopped before `run`: a request for help or the version, or a usage error
/// (printed with the command's usage, exit status 64).
enum CommandLineError: Error {
    case helpRequested
    case versionRequested
    /// `help` is the "Help:" line naming the option concerned, when there is one.
    case usage(message: String, help: String?)
}
