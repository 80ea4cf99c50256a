/// Upstream's defaults per kind (its SetDefaults_* functions), applied on
/// every write, so stored objects (and `kubectl get -o yaml`) look as they do
/// on any Kubernetes. Each kind's strategy calls its function.
public enum Defaulter {
    public static func pod(_ o: inout JSON) {
        podSpec(&o, ["spec"])
    }

    public static func deployment(_ o: inout JSON) {
        setIfMissing(&o, ["spec", "replicas"], 1)
        if o[path: ["spec", "strategy", "type"]] == nil { o[path: ["spec", "strategy", "type"]] = "RollingUpdate" }
        if o[path: ["spec", "strategy", "type"]]?.string == "RollingUpdate" {
            setIfMissing(&o, ["spec", "strategy", "rollingUpdate", "maxUnavailable"], "25%")
            setIfMissing(&o, ["spec", "strategy", "rollingUpdate", "maxSurge"], "25%")
        }
        setIfMissing(&o, ["spec", "revisionHistoryLimit"], 10)
        setIfMissing(&o, ["spec", "progressDeadlineSeconds"], 600)
        template(&o, ["spec", "template"])
    }

    public static func replicaSet(_ o: inout JSON) {
        setIfMissing(&o, ["spec", "replicas"], 1)
        template(&o, ["spec", "template"])
    }

    /// As upstream's SetDefaults_ReplicationController: the selector and the
    /// object's labels default to the template's labels.
    public static func replicationController(_ o: inout JSON) {
        if let labels = o[path: ["spec", "template", "metadata", "labels"]], labels.object != nil {
            if (o[path: ["spec", "selector"]]?.object ?? JSONObject()).isEmpty { o[path: ["spec", "selector"]] = labels }
            if (o[path: ["metadata", "labels"]]?.object ?? JSONObject()).isEmpty { o[path: ["metadata", "labels"]] = labels }
        }
        setIfMissing(&o, ["spec", "replicas"], 1)
        template(&o, ["spec", "template"])
    }

    public static func daemonSet(_ o: inout JSON) {
        if o[path: ["spec", "updateStrategy", "type"]] == nil { o[path: ["spec", "updateStrategy", "type"]] = "RollingUpdate" }
        if o[path: ["spec", "updateStrategy", "type"]]?.string == "RollingUpdate" {
            setIfMissing(&o, ["spec", "updateStrategy", "rollingUpdate", "maxUnavailable"], 1)
            setIfMissing(&o, ["spec", "updateStrategy", "rollingUpdate", "maxSurge"], 0)
        }
        setIfMissing(&o, ["spec", "revisionHistoryLimit"], 10)
        template(&o, ["spec", "template"])
    }

    public static func statefulSet(_ o: inout JSON) {
        setIfMissing(&o, ["spec", "replicas"], 1)
        setIfMissing(&o, ["spec", "podManagementPolicy"], "OrderedReady")
        if o[path: ["spec", "updateStrategy", "type"]] == nil { o[path: ["spec", "updateStrategy", "type"]] = "RollingUpdate" }
        if o[path: ["spec", "updateStrategy", "type"]]?.string == "RollingUpdate" {
            setIfMissing(&o, ["spec", "updateStrategy", "rollingUpdate", "partition"], 0)
        }
        setIfMissing(&o, ["spec", "revisionHistoryLimit"], 10)
        setIfMissing(&o, ["spec", "persistentVolumeClaimRetentionPolicy", "whenDeleted"], "Retain")
        setIfMissing(&o, ["spec", "persistentVolumeClaimRetentionPolicy", "whenScaled"], "Retain")
        template(&o, ["spec", "template"])
    }

    public static func job(_ o: inout JSON) {
        jobSpec(&o, ["spec"])
    }

    public static func cronJob(_ o: inout JSON) {
        setIfMissing(&o, ["spec", "concurrencyPolicy"], "Allow")
        setIfMissing(&o, ["spec", "suspend"], false)
        setIfMissing(&o, ["spec", "successfulJobsHistoryLimit"], 3)
        setIfMissing(&o, ["spec", "failedJobsHistoryLimit"], 1)
        jobSpec(&o, ["spec", "jobTemplate", "spec"])
    }

    public static func service(_ o: inout JSON) {
        setIfMissing(&o, ["spec", "type"], "ClusterIP")
        setIfMissing(&o, ["spec", "sessionAffinity"], "None")
        if o[path: ["spec", "type"]]?.string != "ExternalName" { setIfMissing(&o, ["spec", "internalTrafficPolicy"], "Cluster") }
        let type = o[path: ["spec", "type"]]?.string
        if type == "NodePort" || type == "LoadBalancer" { setIfMissing(&o, ["spec", "externalTrafficPolicy"], "Cluster") }
        if var ports = o[path: ["spec", "ports"]]?.array {
            for i in ports.indices {
                if ports[i]["protocol"] == nil { ports[i]["protocol"] = "TCP" }
                if ports[i]["targetPort"] == nil, let p = ports[i]["port"] { ports[i]["targetPort"] = p }
            }
            o[path: ["spec", "ports"]] = .array(ports)
        }
    }

    public static func secret(_ o: inout JSON) {
        setIfMissing(&o, ["type"], "Opaque")
    }

    public static func horizontalPodAutoscaler(_ o: inout JSON) {
        setIfMissing(&o, ["spec", "minReplicas"], 1)
        if (o[path: ["spec", "metrics"]]?.array ?? []).isEmpty {
            o[path: ["spec", "metrics"]] = [["type": "Resource", "resource": ["name": "cpu", "target": ["type": "Utilization", "averageUtilization": 80]]]]
        }
    }

    /// As upstream's SetDefaults_ServiceReference: a service port defaults to 443.
    public static func apiService(_ o: inout JSON) {
        if let service = o[path: ["spec", "service"]], service.object != nil { setIfMissing(&o, ["spec", "service", "port"], 443) }
    }

    public static func setIfMissing(_ o: inout JSON, _ path: [String], _ v: JSON) {
        if o[path: path] == nil || o[path: path]?.isNull == true { o[path: path] = v }
    }

    static func template(_ o: inout JSON, _ path: [String]) {
        guard o[path: path] != nil else { return }
        podSpec(&o, path + ["spec"])
    }

    static func jobSpec(_ o: inout JSON, _ path: [String]) {
        setIfMissing(&o, path + ["parallelism"], 1)
        if o[path: path + ["completions"]] == nil, o[path: path + ["parallelism"]]?.int == 1 { o[path: path + ["completions"]] = 1 }
        setIfMissing(&o, path + ["backoffLimit"], 6)
        setIfMissing(&o, path + ["completionMode"], "NonIndexed")
        setIfMissing(&o, path + ["suspend"], false)
        setIfMissing(&o, path + ["podReplacementPolicy"], "TerminatingOrFailed")
        template(&o, path + ["template"])
    }

    /// PodSpec defaults (pods and every pod template).
    static func podSpec(_ o: inout JSON, _ path: [String]) {
        guard var spec = o[path: path], spec.object != nil else { return }
        if spec["restartPolicy"] == nil { spec["restartPolicy"] = "Always" }
        if spec["dnsPolicy"] == nil { spec["dnsPolicy"] = "ClusterFirst" }
        if spec["schedulerName"] == nil { spec["schedulerName"] = "default-scheduler" }
        if spec["terminationGracePeriodSeconds"] == nil { spec["terminationGracePeriodSeconds"] = 30 }
        if spec["securityContext"] == nil { spec["securityContext"] = [:] }
        if spec["enableServiceLinks"] == nil { spec["enableServiceLinks"] = true }
        for field in ["initContainers", "containers"] {
            guard var list = spec[field]?.array else { continue }
            for i in list.indices { container(&list[i]) }
            spec[field] = .array(list)
        }
        o[path: path] = spec
    }

    static func container(_ c: inout JSON) {
        if c["imagePullPolicy"] == nil {
            let image = c["image"]?.string ?? ""
            c["imagePullPolicy"] = .string(imageTag(image) == "latest" ? "Always" : "IfNotPresent")
        }
        if c["terminationMessagePath"] == nil { c["terminationMessagePath"] = "/dev/termination-log" }
        if c["terminationMessagePolicy"] == nil { c["terminationMessagePolicy"] = "File" }
        if c["resources"] == nil { c["resources"] = [:] }
        // Requests default to limits when only limits are given.
        if let limits = c[path: ["resources", "limits"]]?.object {
            for (k, v) in limits where c[path: ["resources", "requests", k]] == nil { c[path: ["resources", "requests", k]] = v }
        }
        if var ports = c["ports"]?.array {
            for i in ports.indices where ports[i]["protocol"] == nil { ports[i]["protocol"] = "TCP" }
            c["ports"] = .array(ports)
        }
        for probe in ["livenessProbe", "readinessProbe", "startupProbe"] where c[probe] != nil {
            for (k, v) in [("timeoutSeconds", JSON.int(1)), ("periodSeconds", 10), ("successThreshold", 1), ("failureThreshold", 3)]
            where c[path: [probe, k]] == nil {
                c[path: [probe, k]] = v
            }
            if c[path: [probe, "httpGet"]] != nil, c[path: [probe, "httpGet", "scheme"]] == nil { c[path: [probe, "httpGet", "scheme"]] = "HTTP" }
            if c[path: [probe, "httpGet"]] != nil, c[path: [probe, "httpGet", "path"]] == nil { c[path: [probe, "httpGet", "path"]] = "/" }
        }
    }

    /// The tag of an image reference ("latest" when none; digests count as pinned).
    static func imageTag(_ image: String) -> String {
        if image.contains("@") { return "" }
        let lastPart = image.split(separator: "/").last.map(String.init) ?? image
        if let colon = lastPart.lastIndex(of: ":") { return String(lastPart[lastPart.index(after: colon)...]) }
        return "latest"
    }
}
