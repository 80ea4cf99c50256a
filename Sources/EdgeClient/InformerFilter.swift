import EdgeAPI

/// Which objects an informer keeps in its cache: a component that acts on few
/// objects of a kind (the garbage collector on objects with owners) need not
/// hold all of them. Named, so asking again with the same filter changes
/// nothing; an informer shared by readers with different filters keeps what
/// any of them keeps. Handlers hear of every object whatever the filter.
public struct InformerFilter: Sendable {
    public let name: String
    public let keeps: @Sendable (JSON) -> Bool

    public init(name: String, keeps: @escaping @Sendable (JSON) -> Bool) {
        self.name = name
        self.keeps = keeps
    }
}
