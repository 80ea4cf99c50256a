/// One member of a tar archive, with pax and GNU long-name extensions already applied.
struct TarEntry: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case file, hardLink, symbolicLink, characterDevice, blockDevice, directory, fifo
    }

    var path: String
    var kind: Kind
    var mode: UInt32
    /// Owners as uid_t/gid_t hold them (the reader refuses anything outside 0...4294967294).
    var uid: UInt32
    var gid: UInt32
    var size: Int64
    var modificationSeconds: Int64
    var modificationNanoseconds: Int = 0
    /// Target of a symlink, or the archive path a hard link points at.
    var linkName: String = ""
    var deviceMajor: UInt32 = 0
    var deviceMinor: UInt32 = 0
    /// From pax `SCHILY.xattr.*` records (file capabilities, for example).
    var extendedAttributes: [String: [UInt8]] = [:]
}
