import CZlib

/// How the SQLite store keeps small values: deflated against a fixed dictionary of the words Kubernetes
/// objects are made of, so that a Lease (about 800 bytes of JSON with its managedFields, 200 packed) no
/// longer fills a 1 KiB page by itself. An idle node's store writes mostly Lease renewals, one durable
/// commit each, and each commit writes every page it touches: with three or four rows to a leaf, most
/// renewals touch one table leaf instead of allocating a new one (and with it the table's interior page,
/// page 1 and the free-list trunk). Measured in docs/BENCHMARKS.md, flash-friendly writes.
///
/// Only Leases are packed (`packedPrefixes`), the objects an idle cluster rewrites (kubelet renews its node's
/// every 10 s), and only between `smallest` and `largest` bytes: smaller rows share leaves already, larger
/// ones span pages anyway. Everything else is stored as it is, because LISTs splice stored bytes into the
/// response without parsing them and inflating costs about 2.5 microseconds a value (a LIST of 500 small
/// ConfigMaps took a third longer with every value packed). A value is stored packed only when that saves at
/// least `minimumSaving` bytes.
///
/// The format is part of the store: raw deflate (RFC 1951) with `dictionary` as its preset dictionary, and the
/// inflated length in the row's `packed` column (NULL: stored as is). The dictionary must never change; a
/// different one would need a new column or marker.
enum StoredValueCodec {
    /// Key prefixes whose values are packed (the registry's Leases: coordination.k8s.io/v1).
    static let packedPrefixes = ["/registry/coordination.k8s.io/leases/"]
    static let smallest = 256
    static let largest = 1024
    static let minimumSaving = 32
    /// The most an inflated length may say (a damaged row must not make the reader allocate gigabytes).
    static let maximumInflated: Int64 = 1 << 24

    static let deflaters = ZlibStreamPool(.deflate)
    static let inflaters = ZlibStreamPool(.inflate)

    /// A packed copy of `value`, stored under `key`, or nil when it is stored as it is.
    static func pack(_ value: [UInt8], key: String) -> [UInt8]? {
        guard value.count >= smallest, value.count <= largest, packedPrefixes.contains(where: { key.hasPrefix($0) }) else { return nil }
        var out = [UInt8](repeating: 0, count: value.count)
        var input = value
        let produced = deflaters.with { z -> Int? in
            let dictOK = dictionary.withUnsafeBufferPointer { d in deflateSetDictionary(z, d.baseAddress, UInt32(d.count)) == Z_OK }
            guard dictOK else { return nil }
            return input.withUnsafeMutableBufferPointer { src -> Int? in
                out.withUnsafeMutableBufferPointer { dst -> Int? in
                    z.pointee.next_in = src.baseAddress
                    z.pointee.avail_in = UInt32(src.count)
                    z.pointee.next_out = dst.baseAddress
                    z.pointee.avail_out = UInt32(dst.count)
                    // Z_STREAM_END only when all of it fit in fewer bytes than the value: otherwise not worth it.
                    guard CZlib.deflate(z, Z_FINISH) == Z_STREAM_END else { return nil }
                    return dst.count - Int(z.pointee.avail_out)
                }
            }
        } ?? nil
        guard let produced, produced + minimumSaving <= value.count else { return nil }
        out.removeSubrange(produced...)
        return out
    }

    /// The value a row holds: `stored` itself, or, when `inflatedSize` is not nil, `stored` inflated to exactly
    /// that many bytes. A row that does not inflate to what it says is damage, reported as such.
    static func unpack(_ stored: [UInt8], inflatedSize: Int64?) throws -> [UInt8] {
        guard let size64 = inflatedSize else { return stored }
        guard size64 > 0, size64 <= maximumInflated, let size = Int(exactly: size64) else {
            throw StoreError.database("a stored value says it inflates to \(size64) bytes: the store is damaged")
        }
        var out = [UInt8](repeating: 0, count: size)
        var input = stored
        let ok = inflaters.with { z -> Bool in
            // A raw stream does not ask for its dictionary (no header to say so): it is set before the first byte.
            let set = dictionary.withUnsafeBufferPointer { d in inflateSetDictionary(z, d.baseAddress, UInt32(d.count)) }
            guard set == Z_OK else { return false }
            return input.withUnsafeMutableBufferPointer { src -> Bool in
                out.withUnsafeMutableBufferPointer { dst -> Bool in
                    z.pointee.next_in = src.baseAddress
                    z.pointee.avail_in = UInt32(src.count)
                    z.pointee.next_out = dst.baseAddress
                    z.pointee.avail_out = UInt32(dst.count)
                    return CZlib.inflate(z, Z_FINISH) == Z_STREAM_END && z.pointee.avail_out == 0 && z.pointee.avail_in == 0
                }
            }
        } ?? false
        guard ok else { throw StoreError.database("a stored value does not inflate to its \(size) bytes: the store is damaged") }
        return out
    }

    /// Words of Kubernetes objects as the API server stores them (compact JSON), the most frequent last
    /// (deflate reaches back from the end cheapest). Fixed forever: stored values depend on every byte.
    static let dictionary: [UInt8] = Array(("""
        {"apiVersion":"apps/v1","kind":"ReplicaSet","Deployment","DaemonSet","StatefulSet","Job","ConfigMap","Secret",\
        "ServiceAccount","Service","Endpoints","EndpointSlice","discovery.k8s.io/v1","Event","events.k8s.io/v1",\
        "Pod","Node","Namespace","Lease","coordination.k8s.io/v1","batch/v1","rbac.authorization.k8s.io/v1",\
        "data":{"type":"Opaque","status":{"conditions":[{"type":"Ready","status":"True","lastTransitionTime":"",\
        "lastHeartbeatTime":"","reason":"","message":"","phase":"Running","spec":{"selector":{"matchLabels":{"app":"",\
        "template":{"containers":[{"name":"","image":"","ports":[{"containerPort":,"protocol":"TCP"}],\
        "resources":{},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File",\
        "imagePullPolicy":"IfNotPresent"}],"restartPolicy":"Always","dnsPolicy":"ClusterFirst","schedulerName":\
        "default-scheduler","securityContext":{},"nodeName":"","annotations":{"labels":{"generateName":"","generation":\
        "deletionTimestamp":"","finalizers":["ownerReferences":[{"apiVersion":"v1","kind":"Node","name":"",\
        "controller":true,"blockOwnerDeletion":true,"uid":"","holderIdentity":"","leaseDurationSeconds":40,\
        "acquireTime":"","leaseTransitions":,"renewTime":"","kube-system","kube-node-lease","kube-public","default",\
        "resourceVersion":"","f:status":{"f:conditions":{"f:labels":{"f:annotations":{"f:spec":{"f:data":{\
        "subresource":"status","operation":"Apply","kube-controller-manager","kube-scheduler","kubectl-client-side-apply",\
        "creationTimestamp":"","managedFields":[{"apiVersion":"coordination.k8s.io/v1","fieldsType":"FieldsV1",\
        "fieldsV1":{"f:metadata":{"f:ownerReferences":{".":{},"k:{\\"uid\\":\\""}},"f:spec":{"f:holderIdentity":{},\
        "f:leaseDurationSeconds":{},"f:renewTime":{}}},"manager":"kubelet","operation":"Update","time":"2026-
        """).utf8)
}
