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
            let unit: Int64
            switch c {
            case "h": unit = 3600
            case "m": unit = 60
            case "s": unit = 1
            case "d": unit = 86400
            default: return nil
            }
            // A duration past Int64 seconds is refused, not trapped on.
            let (part, o1) = n.multipliedReportingOverflow(by: unit)
            let (sum, o2) = total.addingReportingOverflow(part)
            if o1 || o2 { return nil }
            total = sum
            number = ""
            sawUnit = true
        }
        return number.isEmpty && sawUnit ? total : nil
    }
}
