/// Record data this server writes.
enum DNSRData: Equatable, Sendable {
    case a(UInt32)
    case aaaa([UInt8])
    case cname(DNSName)
    case ptr(DNSName)
    case ns(DNSName)
    case srv(priority: UInt16, weight: UInt16, port: UInt16, target: DNSName)
    case soa(mname: DNSName, rname: DNSName, serial: UInt32, refresh: UInt32, retry: UInt32, expire: UInt32, minimum: UInt32)

    var type: UInt16 {
        switch self {
        case .a: return DNSType.a
        case .aaaa: return DNSType.aaaa
        case .cname: return DNSType.cname
        case .ptr: return DNSType.ptr
        case .ns: return DNSType.ns
        case .srv: return DNSType.srv
        case .soa: return DNSType.soa
        }
    }
}
