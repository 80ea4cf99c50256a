/// Names as the command line spells them: `agentApiPort` -> `agent-api-port`,
/// `RotateKeys` -> `rotate-keys`, `DNS` -> `dns`.
enum KebabCase {
    static func from(_ camel: String) -> String {
        let chars = Array(camel)
        var out = ""
        for (i, c) in chars.enumerated() {
            if c.isUppercase, i > 0 {
                let previous = chars[i - 1]
                let nextIsLower = i + 1 < chars.count && chars[i + 1].isLowercase
                // A word starts after a lower-case letter or digit, or at the last capital of an acronym.
                if previous.isLowercase || previous.isNumber || (previous.isUppercase && nextIsLower) { out.append("-") }
            }
            out.append(contentsOf: c.lowercased())
        }
        return out
    }
}
