/// Go-style durations as kubeadm's --ttl takes them: "24h", "90m", "1h30m", "45s", "0" (never).
enum DurationFlag {
    static func seconds(_ text: String) -> Int64? {
        if text == "0" { return 0 }
        var total: Int64 = 0
        var number = ""
        var sawUnit = false
        for c in text {
            if c.isNumber { number.append(c); continue }
            guard let n = Int64(number) else { return nil }
            switch c {
            case "h": total += n * 3600
            case "m": total += n * 60
            case "s": total += n
            case "d": total += n * 86400
            default: return nil
            }
            number = ""
            sawUnit = true
        }
        return number.isEmpty && sawUnit ? total : nil
    }
}
