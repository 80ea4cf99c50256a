/// Which board this machine is: the device tree's model string (what the board's firmware or
/// kernel calls it), matched against the profiles; otherwise the generic profile of the architecture.
public enum BoardDetector {
    /// Where kernels publish the model: /proc/device-tree is a link to the second on current kernels.
    static let modelPaths = ["/proc/device-tree/model", "/sys/firmware/devicetree/base/model"]

    /// The model string without its trailing NUL; nil on machines without a device tree (x86).
    public static func model(_ root: HostRoot) -> String? {
        for p in modelPaths {
            guard let bytes = root.readBytes(p, limit: 512) else { continue }
            let text = String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self).trimmingSpaces
            if !text.isEmpty { return text }
        }
        return nil
    }

    public static func detect(_ root: HostRoot, catalog: BoardCatalog, architecture: String) -> BoardProfile? {
        catalog.detect(model: model(root), architecture: architecture)
    }
}
