import EdgeAPI

/// The bodies of subresources that have their own type (Binding, TokenRequest,
/// Scale): decoded against that type as upstream does, so a number that does
/// not fit its field is refused before anything uses it.
public enum TypedSubresourceBody {
    public static func check(_ body: JSON, kind: String, version: String, message: String, fromPatch: Bool = false) throws {
        guard let typeError = APISchema.shared.checkDecoding(body, message: message).typeError else { return }
        throw ObjectStore.decodeError(typeError, kind: kind, version: version, body, fromPatch ? .patch : .body)
    }
}
