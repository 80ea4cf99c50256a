import EdgeAPI

/// How a pod container's process line and environment come together, as upstream:
/// command replaces the image's entrypoint (and drops its cmd), args replace
/// its cmd, and $(VAR) refers to variables defined earlier ($$ escapes).
enum ContainerCommand {
    static func argv(container: JSON, image: PodImage, env: [String: String]) -> [String] {
        let command = (container["command"]?.array ?? []).compactMap { $0.string }.map { expand($0, env) }
        let args = (container["args"]?.array ?? []).compactMap { $0.string }.map { expand($0, env) }
        if !command.isEmpty { return command + args }
        return image.entrypoint + (args.isEmpty ? image.cmd : args)
    }

    /// $(NAME) becomes the value when NAME is defined, and stays as written otherwise; $$(NAME) is a literal $(NAME).
    static func expand(_ s: String, _ env: [String: String]) -> String {
        guard s.contains("$") else { return s }
        var out = ""
        var i = s.startIndex
        while i < s.endIndex {
            let c = s[i]
            let next = s.index(after: i)
            if c == "$", next < s.endIndex {
                if s[next] == "$" { out.append("$"); i = s.index(after: next); continue }
                if s[next] == "(", let close = s[next...].firstIndex(of: ")") {
                    let name = String(s[s.index(after: next)..<close])
                    if let v = env[name] { out += v } else { out += "$(" + name + ")" }
                    i = s.index(after: close)
                    continue
                }
            }
            out.append(c)
            i = next
        }
        return out
    }
}
