/// Status and headers of a registry response.
struct HTTPResponseHead: Sendable {
    var status: Int
    var headers: [(name: String, value: String)]

    /// First value of a header, case-insensitively.
    func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }
}
