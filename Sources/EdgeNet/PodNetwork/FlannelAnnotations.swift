import EdgeAPI

/// What each node publishes about its own end of the pod network, with the
/// meaning of flannel's flannel.alpha.coreos.com/* Node annotations under
/// edgectl's own names: the backend it runs, the backend's data (for vxlan
/// the VTEP's MAC and VNI, as {"VNI":1,"VtepMAC":"…"}), and the address other
/// nodes reach it on.
public enum FlannelAnnotations {
    public static let backendType = "flannel.edgectl.io/backend-type"
    public static let backendData = "flannel.edgectl.io/backend-data"
    public static let publicIP = "flannel.edgectl.io/public-ip"

    public static func backendData(vni: UInt32, vtepMAC: MACAddress) -> String {
        "{\"VNI\":\(vni),\"VtepMAC\":\"\(vtepMAC)\"}"
    }

    public static func vtepMAC(_ data: String) -> MACAddress? {
        guard let doc = try? JSONParser.parse(data), let mac = doc["VtepMAC"]?.string else { return nil }
        return MACAddress(mac)
    }
}
