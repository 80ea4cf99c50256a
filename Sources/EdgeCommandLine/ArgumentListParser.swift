/// Puts the words of a command line into a command's declared options, flags and arguments.
/// Rules: `--name value` or `--name=value`; `-x` for a short name; a flag takes no value; a
/// later occurrence of an option replaces an earlier one, an array option collects them; `--`
/// ends the options; positional values fill the arguments in declaration order.
struct ArgumentListParser {
    let definitions: [ArgumentDefinition]

    func parse(_ words: [String]) throws(CommandLineError) {
        var given = Set<Int>()
        var unexpected: [String] = []
        let positionals = definitions.indices.filter { definitions[$0].kind == .positional && definitions[$0].arrayStrategy != .postTerminator }
        let afterTerminator = definitions.indices.first { definitions[$0].arrayStrategy == .postTerminator }
        var nextPositional = 0
        var terminated = false
        var i = 0

        func store(_ index: Int, _ value: String) throws(CommandLineError) {
            let d = definitions[index]
            guard d.store(value) else {
                throw .usage(message: "The value '\(value)' is invalid for '\(d.errorLabel)'", help: helpLine(d))
            }
            given.insert(index)
        }

        while i < words.count {
            let word = words[i]
            i += 1
            if terminated || !Self.looksLikeOption(word) {
                if terminated, let index = afterTerminator {
                    try store(index, word)
                    continue
                }
                guard nextPositional < positionals.count else {
                    unexpected.append(word)
                    continue
                }
                let index = positionals[nextPositional]
                if definitions[index].arrayStrategy == .captureForPassthrough {
                    for w in words[(i - 1)...] { try store(index, w) }
                    break
                }
                try store(index, word)
                if !definitions[index].isArray { nextPositional += 1 }
                continue
            }
            if word == "--" {
                terminated = true
                continue
            }
            let (index, inline) = try lookUp(word)
            let d = definitions[index]
            if d.kind == .flag {
                if let inline {
                    throw .usage(message: "The option '--\(d.longName ?? "")' does not take any value, but '\(inline)' was specified.", help: nil)
                }
                try store(index, "")
                continue
            }
            if let inline {
                try store(index, inline)
            } else if i < words.count, !Self.looksLikeOption(words[i]) {
                try store(index, words[i])
                i += 1
            } else {
                throw .usage(message: "Missing value for '\(d.errorLabel)'", help: helpLine(d))
            }
        }
        if !unexpected.isEmpty {
            let message = unexpected.count == 1
                ? "Unexpected argument '\(unexpected[0])'"
                : "\(unexpected.count) unexpected arguments: " + unexpected.map { "'\($0)'" }.joined(separator: ", ")
            throw .usage(message: message, help: nil)
        }
        for (index, d) in definitions.enumerated() where d.isRequired && !given.contains(index) {
            throw .usage(message: "Missing expected argument '\(d.errorLabel)'", help: helpLine(d))
        }
    }

    /// `-x`, `--name`, `--name=value` and `--`; not `-` alone or a negative number.
    static func looksLikeOption(_ word: String) -> Bool {
        guard word.hasPrefix("-"), word.count > 1 else { return false }
        let second = word[word.index(after: word.startIndex)]
        return !(second.isNumber || second == ".")
    }

    /// The definition an option word names, and the value after `=` if any.
    func lookUp(_ word: String) throws(CommandLineError) -> (Int, String?) {
        if word.hasPrefix("--") {
            let body = word.dropFirst(2)
            let name = body.firstIndex(of: "=").map { String(body[..<$0]) } ?? String(body)
            let inline = body.firstIndex(of: "=").map { String(body[body.index(after: $0)...]) }
            if let index = definitions.firstIndex(where: { $0.kind != .positional && $0.longName == name }) {
                return (index, inline)
            }
            throw .usage(message: unknown("--" + name), help: nil)
        }
        let short = word.dropFirst()
        if short.count == 1, let index = definitions.firstIndex(where: { $0.kind != .positional && $0.shortName == short.first }) {
            return (index, nil)
        }
        throw .usage(message: unknown(word), help: nil)
    }

    /// "Unknown option", with the closest long name when one is close (fewer than 4 edits).
    func unknown(_ name: String) -> String {
        let candidates = definitions.compactMap { $0.kind == .positional ? nil : $0.longName.map { "--" + $0 } }
        let scored = candidates.map { ($0, EditDistance.between($0, name)) }.filter { $0.1 < 4 }
        if let best = scored.min(by: { $0.1 < $1.1 }) {
            return "Unknown option '\(name)'. Did you mean '\(best.0)'?"
        }
        return "Unknown option '\(name)'"
    }

    func helpLine(_ d: ArgumentDefinition) -> String? {
        d.help.abstract.isEmpty || d.isHidden ? nil : "\(d.label)  \(d.help.abstract)"
    }
}
