import EdgeAPI

/// The metav1.Status sent on the error channel (3) when an exec ends, in the
/// shape client-go's v4/v5 decoder reads: Success, or Failure with reason
/// NonZeroExitCode and the code as an ExitCode cause (kubectl exits with it).
enum ExecStatus {
    static func success() -> [UInt8] {
        JSONSerializer.serialize(["metadata": [:], "status": "Success"])
    }

    static func exited(_ code: Int32, command: [String]) -> [UInt8] {
        if code == 0 { return success() }
        let text = "command terminated with non-zero exit code: error executing command [\(command.joined(separator: " "))], exit code \(code)"
        return JSONSerializer.serialize([
            "metadata": [:], "status": "Failure", "message": .string(text), "reason": "NonZeroExitCode",
            "details": ["causes": [["reason": "ExitCode", "message": .string(String(code))]]],
        ])
    }

    /// The process could not be started (kubectl prints the message).
    static func internalError(_ message: String) -> [UInt8] {
        let text = "error executing command in container: \(message)"
        return JSONSerializer.serialize([
            "metadata": [:], "status": "Failure", "message": .string("Internal error occurred: \(text)"), "reason": "InternalError",
            "details": ["causes": [["message": .string(text)]]], "code": 500,
        ])
    }
}
