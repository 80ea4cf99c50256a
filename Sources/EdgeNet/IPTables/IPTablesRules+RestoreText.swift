extension IPTablesRules {
    /// Every chain and jump as one iptables-restore input (tables in order, chains sorted).
    public var restoreText: String {
        var text = ""
        for table in Set(tables.keys).union(jumps.map(\.table)).sorted() {
            let chains = (tables[table] ?? [:]).sorted { $0.key < $1.key }
            text += "*\(table)\n"
            for (c, _) in chains { text += ":\(c) - [0:0]\n" }
            for (c, rules) in chains { for r in rules { text += "-A \(c) \(r)\n" } }
            for j in jumps.reversed() where j.table == table { text += "-I \(j.chain) 1 \(j.rule)\n" }
            text += "COMMIT\n"
        }
        return text
    }
}
