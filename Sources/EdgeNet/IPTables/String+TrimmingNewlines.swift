/// Command output without its trailing newline, for messages.
extension String {
    var trimmingNewlines: String {
        var s = Substring(self)
        while s.last == "\n" || s.last == "\r" || s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
