/// Addresses as DNS labels (10.42.0.5 <-> 10-42-0-5), as CoreDNS names endpoints and pods.
extension String {
    var replacingDots: String { String(map { $0 == "." ? "-" : $0 }) }
    var replacingDashes: String { String(map { $0 == "-" ? "." : $0 }) }
}
