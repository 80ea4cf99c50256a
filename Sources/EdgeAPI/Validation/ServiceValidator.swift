/// Service validation.
public enum ServiceValidator {
    static let types = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]

    public static func validate(_ o: JSON, old: JSON?) -> [FieldError] {
        var errs: [FieldError] = []
        let type = o[path: ["spec", "type"]]?.string ?? "ClusterIP"
        if !types.contains(type) { errs.append(.notSupported("spec.type", .string(type), types)) }
        let ports = o[path: ["spec", "ports"]]?.array ?? []
        if ports.isEmpty && type != "ExternalName" && o[path: ["spec", "clusterIP"]]?.string != "None" {
            errs.append(.required("spec.ports"))
        }
        var names = Set<String>()
        for (i, p) in ports.enumerated() {
            let pp = "spec.ports[\(i)]"
            let port = p["port"]?.int ?? 0
            if port < 1 || port > 65535 { errs.append(.invalid(pp + ".port", .int(port), "must be between 1 and 65535, inclusive")) }
            let name = p["name"]?.string ?? ""
            if ports.count > 1 && name.isEmpty { errs.append(.required(pp + ".name")) }
            if !name.isEmpty && !names.insert(name).inserted { errs.append(.duplicate(pp + ".name", .string(name))) }
            if let proto = p["protocol"]?.string, !PodValidator.protocols.contains(proto) {
                errs.append(.notSupported(pp + ".protocol", .string(proto), PodValidator.protocols))
            }
            if let tp = p["targetPort"]?.int, tp < 1 || tp > 65535 {
                errs.append(.invalid(pp + ".targetPort", .int(tp), "must be between 1 and 65535, inclusive"))
            }
        }
        if type == "ExternalName", (o[path: ["spec", "externalName"]]?.string ?? "").isEmpty { errs.append(.required("spec.externalName")) }
        errs += ObjectMetaValidator.labels(o[path: ["spec", "selector"]], path: "spec.selector")
        if let old, let oldIP = old[path: ["spec", "clusterIP"]]?.string, !oldIP.isEmpty,
           let newIP = o[path: ["spec", "clusterIP"]]?.string, newIP != oldIP, type != "ExternalName" {
            errs.append(.immutable("spec.clusterIPs[0]", .array([.string(newIP)])))
        }
        return errs
    }
}
