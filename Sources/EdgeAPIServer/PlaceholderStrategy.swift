import EdgeAPI
import EdgeRegistry

/// A strategy with every default, standing for a resource where only its
/// name matters (the group versions of fixed test documents).
struct PlaceholderStrategy: ResourceStrategy {
    let resource: ResourceInfo
    init(_ resource: ResourceInfo) { self.resource = resource }
}
