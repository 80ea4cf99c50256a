/// Word wrapping for help text: lines filled greedily to the screen width, continuation
/// lines indented; explicit line breaks kept.
enum TextWrapping {
    static func wrap(_ text: String, width: Int, indent: Int = 0) -> String {
        let room = max(width - indent, 1)
        let pad = String(repeating: " ", count: indent)
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            var rest = Substring(paragraph)
            // The last piece may fill the width; a piece followed by more text leaves a column free.
            while rest.count > room {
                let chunk = rest.prefix(room)
                if let space = chunk.lastIndex(of: " ") {
                    line = String(rest[..<space])
                    rest = rest[rest.index(after: space)...]
                } else if let space = rest.firstIndex(of: " ") {
                    line = String(rest[..<space])
                    rest = rest[rest.index(after: space)...]
                } else {
                    break
                }
                lines.append(line)
            }
            lines.append(String(rest))
        }
        return lines.map { $0.isEmpty ? $0 : pad + $0 }.joined(separator: "\n")
    }
}
