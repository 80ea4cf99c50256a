#if canImport(Glibc)
import Glibc
#endif

/// An OCI platform (os/architecture/variant) as image indexes describe it. In EdgeAPI
/// because nodes (kubernetes.io/os, kubernetes.io/arch) and images both have one, and the
/// scheduler matches the two.
public struct ImagePlatform: Sendable, Hashable, CustomStringConvertible {
    public var os: String
    public var architecture: String
    public var variant: String?

    public init(os: String = "linux", architecture: String, variant: String? = nil) {
        self.os = os
        self.architecture = architecture
        self.variant = variant
    }

    /// The machine this process runs on, in OCI (GOARCH) spelling.
    public static var host: ImagePlatform {
        var name = utsname()
        uname(&name)
        let machine = withUnsafeBytes(of: name.machine) { raw in
            String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
        }
        return fromMachine(machine)
    }

    /// uname -m to platform: x86_64 -> amd64, aarch64 -> arm64/v8, armv7l -> arm/v7.
    public static func fromMachine(_ machine: String) -> ImagePlatform {
        switch machine {
        case "x86_64", "amd64": return ImagePlatform(architecture: "amd64")
        case "aarch64", "arm64", "armv8l": return ImagePlatform(architecture: "arm64", variant: "v8")
        case "armv7l", "armv7": return ImagePlatform(architecture: "arm", variant: "v7")
        case "armv6l": return ImagePlatform(architecture: "arm", variant: "v6")
        case "i386", "i486", "i586", "i686": return ImagePlatform(architecture: "386")
        default: return ImagePlatform(architecture: machine)
        }
    }

    /// The label an arm node carries its variant in ("v7"); Kubernetes has labels for the
    /// os and architecture only, and an arm/v6 board cannot run arm/v7 images.
    public static let variantLabel = "edgectl.io/arch-variant"

    /// A node's platform from its kubernetes.io/os, kubernetes.io/arch and variant labels;
    /// nil when it has no architecture label (then nothing is assumed about it).
    public static func ofNode(labels: JSONObject) -> ImagePlatform? {
        guard let arch = labels["kubernetes.io/arch"]?.string, !arch.isEmpty else { return nil }
        let variant = labels[variantLabel]?.string
        return ImagePlatform(os: labels["kubernetes.io/os"]?.string ?? "linux", architecture: arch, variant: variant?.isEmpty == false ? variant : nil)
    }

    /// "linux/arm64/v8", as docker and containerd print platforms.
    public var description: String {
        [os, architecture, variant].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "/")
    }

    /// Parses "linux/arm/v7" (os may be omitted: "arm64").
    public static func parse(_ text: String) -> ImagePlatform? {
        let parts = text.split(separator: "/").map(String.init)
        switch parts.count {
        case 1: return ImagePlatform(architecture: parts[0])
        case 2: return ImagePlatform(os: parts[0], architecture: parts[1])
        case 3: return ImagePlatform(os: parts[0], architecture: parts[1], variant: parts[2])
        default: return nil
        }
    }

    /// How well an image built for `candidate` runs here: nil if it cannot,
    /// higher is better. arm64 without a variant is v8; an arm/v7 board also
    /// runs v6 and v5 images, but prefers its own; arm without a variant means v7
    /// (containerd's reading).
    public func matchScore(_ candidate: ImagePlatform) -> Int? {
        guard candidate.os == os, candidate.architecture == architecture else { return nil }
        let wanted = Self.effectiveVariant(architecture, variant)
        let offered = Self.effectiveVariant(candidate.architecture, candidate.variant)
        if wanted == offered { return 100 }
        if architecture == "arm", let w = Self.armLevel(wanted), let o = Self.armLevel(offered), o < w {
            return 100 - (w - o) * 10
        }
        return nil
    }

    private static func effectiveVariant(_ architecture: String, _ variant: String?) -> String {
        let v = variant ?? ""
        switch architecture {
        case "arm64": return v.isEmpty ? "v8" : v
        case "arm": return v.isEmpty ? "v7" : v
        case "amd64": return v.isEmpty ? "v1" : v
        default: return v
        }
    }

    private static func armLevel(_ variant: String) -> Int? {
        guard variant.hasPrefix("v") else { return nil }
        return Int(variant.dropFirst())
    }
}
