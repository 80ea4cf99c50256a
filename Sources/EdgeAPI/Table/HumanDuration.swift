/// Ages as kubectl prints them: "45s", "3m20s", "15m", "5h30m", "3d4h", "2y10d".
public enum HumanDuration {
    public static func format(seconds s: Int64) -> String {
        if s < -1 { return "<invalid>" }
        if s < 0 { return "0s" }
        if s < 120 { return "\(s)s" }
        let minutes = s / 60
        if minutes < 10 { return s % 60 == 0 ? "\(minutes)m" : "\(minutes)m\(s % 60)s" }
        if minutes < 180 { return "\(minutes)m" }
        let hours = s / 3600
        if hours < 8 { return minutes % 60 == 0 ? "\(hours)h" : "\(hours)h\(minutes % 60)m" }
        if hours < 48 { return "\(hours)h" }
        if hours < 24 * 8 { return hours % 24 == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(hours % 24)h" }
        if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
        if hours < 24 * 365 * 8 {
            let days = (hours / 24) % 365
            return days == 0 ? "\(hours / 24 / 365)y" : "\(hours / 24 / 365)y\(days)d"
        }
        return "\(hours / 24 / 365)y"
    }

    /// Age of an RFC 3339 timestamp at `now`, or "<unknown>".
    public static func since(_ text: String?, now: Timestamp) -> String {
        guard let text, let t = Timestamp(rfc3339: text) else { return "<unknown>" }
        return format(seconds: now.seconds - t.seconds)
    }
}
