/// One partition of a disk image, as its table describes it (checked to lie inside the image).
public struct Partition: Sendable, Equatable {
    public enum Kind: String, Sendable { case fat, linux, efi, other }

    /// 1-based, as Linux names them (mmcblk0p1).
    public var number: Int
    public var offset: Int64
    public var size: Int64
    public var kind: Kind
    /// The MBR type byte (0x0c) or the GPT type GUID, for messages.
    public var type: String
    public var name: String

    public init(number: Int, offset: Int64, size: Int64, kind: Kind, type: String, name: String = "") {
        self.number = number
        self.offset = offset
        self.size = size
        self.kind = kind
        self.type = type
        self.name = name
    }
}
