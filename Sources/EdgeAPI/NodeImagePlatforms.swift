/// The images a node holds and the platforms each one's source offers, as the node
/// publishes them in its `edgectl.io/image-platforms` annotation for the scheduler:
/// a JSON object from normalized reference to platform strings,
/// {"docker.io/library/busybox:latest": ["linux/amd64", "linux/arm64/v8", "linux/arm/v7"]}.
/// Bounded both ways: a node writes at most `maxImages` entries, and a reader ignores
/// anything beyond the same limits, so no node can make the scheduler hold much.
public enum NodeImagePlatforms {
    public static let annotation = "edgectl.io/image-platforms"
    public static let maxImages = 256
    public static let maxPlatformsPerImage = 16
    public static let maxBytes = 128 << 10

    /// Compact JSON with sorted keys, so an unchanged set gives the same text.
    public static func encode(_ images: [String: [ImagePlatform]]) -> String {
        var object = JSONObject()
        for name in images.keys.sorted().prefix(maxImages) {
            let platforms = images[name]!.prefix(maxPlatformsPerImage)
            if platforms.isEmpty || name.utf8.count > 512 { continue }
            object[name] = .array(platforms.map { .string($0.description) })
        }
        return String(decoding: JSONSerializer.serialize(.object(object)), as: UTF8.self)
    }

    /// What a node's annotation says; empty when it has none or it is not well formed.
    public static func decode(_ text: String?) -> [String: [ImagePlatform]] {
        guard let text, text.utf8.count <= maxBytes, let object = (try? JSONParser.parse(Array(text.utf8)))?.object else { return [:] }
        var out: [String: [ImagePlatform]] = [:]
        for (name, value) in object where out.count < maxImages {
            let platforms = (value.array ?? []).prefix(maxPlatformsPerImage).compactMap { $0.string.flatMap(ImagePlatform.parse) }
            if !platforms.isEmpty { out[name] = platforms }
        }
        return out
    }
}
