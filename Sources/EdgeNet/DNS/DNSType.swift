/// Record types and codes this server knows by name.
enum DNSType {
    static let a: UInt16 = 1, ns: UInt16 = 2, cname: UInt16 = 5, soa: UInt16 = 6, ptr: UInt16 = 12
    static let aaaa: UInt16 = 28, srv: UInt16 = 33, opt: UInt16 = 41, any: UInt16 = 255
}
