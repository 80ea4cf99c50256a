/// What a read through a resource's version does to a stored object
/// (ResourceStrategy.convertFromStorage), as far as the fast LIST and watch
/// paths need to know: whether the stored bytes may be sent as they are.
public enum StoredForm: Sendable, Equatable {
    /// Every stored object is served as stored (built-in kinds).
    case servedAsStored
    /// A stored object is served as stored when its top-level apiVersion is this one
    /// (a custom resource: others are converted to this version).
    case servedAsStoredWithAPIVersion(String)
    /// Every stored object is converted: the stored bytes are never sent as they are.
    case converted
}
