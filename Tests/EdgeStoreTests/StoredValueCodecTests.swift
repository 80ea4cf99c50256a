import EdgeAPI
import XCTest
@testable import EdgeStore

/// Small values are kept deflated against a fixed dictionary (flash-friendly writes), and what was stored
/// so reads back byte for byte, today and with every later edgectl.
final class StoredValueCodecTests: XCTestCase {
    static let leaseKey = "/registry/coordination.k8s.io/leases/kube-node-lease/edge-node-1"

    /// A node's Lease as the API server stores it (783 bytes of JSON, its managedFields included).
    static let lease = Array(#"""
        {"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"creationTimestamp":"2026-12-05T23:10:11Z","managedFields":[{"apiVersion":"coordination.k8s.io/v1","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:ownerReferences":{".":{},"k:{\"uid\":\"6f0c3a8e-2f7a-4c1e-9d0b-3b1f2e4d5a6b\"}":{}}},"f:spec":{"f:holderIdentity":{},"f:leaseDurationSeconds":{},"f:renewTime":{}}},"manager":"kubelet","operation":"Update","time":"2026-12-05T23:10:11Z"}],"name":"bench-server","namespace":"kube-node-lease","ownerReferences":[{"apiVersion":"v1","kind":"Node","name":"bench-server","uid":"6f0c3a8e-2f7a-4c1e-9d0b-3b1f2e4d5a6b"}],"uid":"1d2c3b4a-5e6f-7a8b-9c0d-1e2f3a4b5c6d"},"spec":{"holderIdentity":"bench-server","leaseDurationSeconds":40,"renewTime":"2026-12-06T01:10:11.123456Z"}}
        """#.utf8)

    /// The Lease packed once (by zlib, level 9, with the dictionary): the format on disk. If this stops
    /// inflating to the Lease, the dictionary or the format changed and stores written before cannot be read.
    static let packedLease = Base64.decode("zZa7DsIwDEX/pbtR7Dz6+I5OiCXOQ0wszP13QtKWKhSpEkv3KLGP5XNzlMW8FUs6bJveo57vRgKhR5IDigHxes5JmCictF0Aiq0F5TBA7wWDZIwUlNfW8K2ZFshnmFnN9e3s2VOcer3DM/0Z8rI81mAfdtTwhw+rd4rvjqDMxZbj6MlJVhZ0MBFa2zH0TnjAQFFaxdoZ30yfcP5yaVXEb69ulbkSNKPAQvCCJJU2CeT0Ag==")!

    func testALeaseIsStoredInAQuarterOfItsSize() throws {
        let packed = try XCTUnwrap(StoredValueCodec.pack(Self.lease, key: Self.leaseKey))
        XCTAssertLessThan(packed.count, 250, "a Lease row shares its 1 KiB leaf with three others")
        XCTAssertEqual(try StoredValueCodec.unpack(packed, inflatedSize: Int64(Self.lease.count)), Self.lease)
    }

    func testWhatWasStoredReadsBack() throws {
        XCTAssertEqual(try StoredValueCodec.unpack(Self.packedLease, inflatedSize: Int64(Self.lease.count)), Self.lease)
    }

    func testOnlyLeasesInTheRangeThatDeflateArePacked() {
        let k = Self.leaseKey
        XCTAssertNil(StoredValueCodec.pack(Array(Self.lease.prefix(StoredValueCodec.smallest - 1)), key: k))
        XCTAssertNil(StoredValueCodec.pack(Array(repeating: 0x41, count: StoredValueCodec.largest + 1), key: k))
        var g = SystemRandomNumberGenerator()
        XCTAssertNil(StoredValueCodec.pack((0..<600).map { _ in UInt8.random(in: 0...255, using: &g) }, key: k), "does not deflate")
        XCTAssertNotNil(StoredValueCodec.pack(Array(repeating: 0x41, count: StoredValueCodec.largest), key: k))
        XCTAssertNil(StoredValueCodec.pack(Self.lease, key: "/registry/configmaps/default/a"), "LISTs splice other kinds as stored")
        XCTAssertNil(StoredValueCodec.pack(Self.lease, key: "/registry/coordination.k8s.io/leasesx"))
        XCTAssertEqual(try StoredValueCodec.unpack([1, 2, 3], inflatedSize: nil), [1, 2, 3])
    }

    /// A damaged row is reported, never trusted, never a trap or a huge allocation (32-bit too).
    func testDamagedRowsAreErrors() {
        let n = Int64(Self.lease.count)
        for (bytes, size) in [(Self.packedLease, n + 1), (Self.packedLease, n - 1), (Self.packedLease, 0), (Self.packedLease, -5),
                              (Self.packedLease, Int64.max), (Array(Self.packedLease.dropLast(3)), n), ([0xFF, 0xFF, 0xFF], 100),
                              (Self.packedLease + [0], n)] {
            XCTAssertThrowsError(try StoredValueCodec.unpack(bytes, inflatedSize: size), "\(bytes.count) bytes said to be \(size)")
        }
    }
}
