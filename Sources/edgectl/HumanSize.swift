/// Sizes as crictl prints them: decimal units, three significant digits ("4.26MB", "745kB").
enum HumanSize {
    static func format(_ bytes: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB", "PB"]
        var unit = 0
        var scaled = Double(bytes)
        while scaled >= 1000 && unit < units.count - 1 { scaled /= 1000; unit += 1 }
        let decimals = scaled >= 100 ? 0 : scaled >= 10 ? 1 : 2
        var factor = 1.0
        for _ in 0..<decimals { factor *= 10 }
        let fixed = Int64((scaled * factor).rounded())
        var text = String(fixed / Int64(factor))
        if decimals > 0 {
            var fraction = String(fixed % Int64(factor))
            while fraction.count < decimals { fraction = "0" + fraction }
            while fraction.hasSuffix("0") { fraction.removeLast() }
            if !fraction.isEmpty { text += "." + fraction }
        }
        return text + units[unit]
    }
}
