/// What upstream's typed decoding says about a JSON document before any
/// validation runs: the first value its field's type cannot hold (always a
/// 400, e.g. `json: cannot unmarshal number 2147483648 into Go struct field
/// ReplicaSetSpec.spec.replicas of type int32`), and the fields no type
/// defines (`spec.foo`), which field validation then refuses, reports or drops.
public struct DecodeReport: Sendable, Equatable {
    public var typeError: String?
    public var unknownFields: [String] = []

    public init(typeError: String? = nil, unknownFields: [String] = []) {
        self.typeError = typeError
        self.unknownFields = unknownFields
    }
}
