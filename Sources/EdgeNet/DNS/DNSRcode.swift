/// Response codes this server sends.
enum DNSRcode {
    static let noError: UInt16 = 0, formErr: UInt16 = 1, servFail: UInt16 = 2, nxDomain: UInt16 = 3, notImp: UInt16 = 4, refused: UInt16 = 5
}
