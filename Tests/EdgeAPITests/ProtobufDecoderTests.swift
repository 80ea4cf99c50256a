import XCTest
@testable import EdgeAPI

final class ProtobufDecoderTests: XCTestCase {
    /// A varint tag whose field number does not fit protobuf's 29 bits (nor a 32-bit Int, where
    /// converting it used to trap on armv7) is a decode error, not a crash or a skipped field.
    func testFieldNumbersBeyondProtobufsRangeAreRefused() {
        // tag = (2^33 << 3) | wire 0, as a varint, then a varint value.
        var tag = UInt64(1) << 36
        var body: [UInt8] = []
        while tag >= 0x80 { body.append(UInt8(tag & 0x7F) | 0x80); tag >>= 7 }
        body.append(UInt8(tag))
        body.append(0x01)
        XCTAssertThrowsError(try ProtobufDecoder.decode(ProtobufDecoder.magic + body)) {
            XCTAssertTrue("\($0)".contains("field number"), "\($0)")
        }
    }

    func testLargestFieldNumberIsRead() throws {
        // field 536870911 (2^29 - 1), wire 0: skipped as unknown, then TypeMeta says which kind.
        var tag = (UInt64(536_870_911) << 3) | 0
        var body: [UInt8] = []
        while tag >= 0x80 { body.append(UInt8(tag & 0x7F) | 0x80); tag >>= 7 }
        body.append(UInt8(tag))
        body.append(0x01)
        XCTAssertThrowsError(try ProtobufDecoder.decode(ProtobufDecoder.magic + body)) {
            XCTAssertTrue("\($0)".contains("protobuf is not supported"), "\($0)")
        }
    }
}
