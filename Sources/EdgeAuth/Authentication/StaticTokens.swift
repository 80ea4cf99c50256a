import EdgeAPI

/// Static bearer tokens, one per line as kube-apiserver's --token-auth-file:
/// `token,user,uid,"group1,group2"`.
public struct StaticTokens: Sendable {
    let users: [String: UserInfo]

    public init(csv: String) throws {
        var users: [String: UserInfo] = [:]
        for (i, raw) in csv.split(separator: "\n").enumerated() {
            let line = raw.trimmingCharacters(in: " ")
            if line.isEmpty || line.hasPrefix("#") { continue }
            var fields: [String] = []
            var cur = ""
            var quoted = false
            for c in line {
                if c == "\"" { quoted.toggle() } else if c == "," && !quoted { fields.append(cur); cur = "" } else { cur.append(c) }
            }
            fields.append(cur)
            guard fields.count >= 2, !fields[0].isEmpty, !fields[1].isEmpty else {
                throw APIError.badRequest("token file line \(i + 1): expected token,user[,uid[,\"groups\"]]")
            }
            let groups = fields.count > 3 ? fields[3].split(separator: ",").map(String.init) : []
            users[fields[0]] = UserInfo(name: fields[1], groups: groups + ["system:authenticated"])
        }
        self.users = users
    }

    public func lookup(_ token: String) -> UserInfo? { users[token] }
}
