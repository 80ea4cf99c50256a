import EdgeAPI
import EdgeClient

/// autoscaling/v2 HPAs on CPU utilization: every sync period, average the
/// target's pods' usage over their requests, scale by the ratio to the target
/// (outside a 10% tolerance), clamp to min/max, and hold scale-downs for the
/// stabilization window (the highest recommendation in it wins), as upstream.
public struct HorizontalPodAutoscalerController: Controller {
    public let name = "horizontalpodautoscaler"
    static let hpas = BuiltinResources.horizontalPodAutoscalers
    static let pods = BuiltinResources.pods
    static let tolerance = 0.1
    let metrics: any PodMetricsSource
    let syncPeriod: Duration
    let recommendations = RecommendationHistory()

    /// Upstream's --horizontal-pod-autoscaler-sync-period defaults to 15 s.
    public init(metrics: any PodMetricsSource, syncPeriod: Duration = .seconds(15)) {
        self.metrics = metrics
        self.syncPeriod = syncPeriod
    }

    public func register(_ ctx: ControllerContext, _ queue: WorkQueue) {
        ctx.informers.informer(Self.hpas).addHandler(.any { queue.add(Informer.key($0)) })
        _ = ctx.informers.informer(Self.pods)
    }

    public func reconcile(_ key: String, _ ctx: ControllerContext) async throws {
        guard let hpa = ctx.informers.informer(Self.hpas).get(key) else { recommendations.forget(key); return }
        let ns = hpa[path: ["metadata", "namespace"]]?.string ?? ""
        let now = ctx.clock.now()
        var status = hpa["status"] ?? [:]
        var conditions = status["conditions"]?.array ?? []
        func condition(_ type: String, _ value: Bool, _ reason: String, _ message: String) {
            let old = conditions.first { $0["type"]?.string == type }
            let changed = old?["status"]?.string != (value ? "True" : "False")
            conditions.removeAll { $0["type"]?.string == type }
            conditions.append(["type": .string(type), "status": value ? "True" : "False", "reason": .string(reason), "message": .string(message),
                               "lastTransitionTime": changed ? .string(now.rfc3339) : (old?["lastTransitionTime"] ?? .string(now.rfc3339))])
        }
        do {
            let target = try await scaleTarget(hpa, ns: ns, ctx)
            // Read as int32 whatever a stored object holds, so no conversion or comparison can trap.
            let current = max(0, Int(Int32(clamping: target.replicas)))
            let minReplicas = hpa[path: ["spec", "minReplicas"]]?.clampedInt ?? 1
            let maxReplicas = hpa[path: ["spec", "maxReplicas"]]?.clampedInt ?? max(minReplicas, 1)
            status["currentReplicas"] = .int(Int64(current))
            condition("AbleToScale", true, "SucceededGetScale", "the HPA controller was able to get the target's current scale")
            var desired = current
            if current == 0 {
                // Scaled to zero by hand: autoscaling is off until someone scales it up.
                condition("ScalingActive", false, "ScalingDisabled", "scaling is disabled since the replica count of the target is zero")
            } else if let p = try await cpuProposal(hpa, target: target, ns: ns, current: current, ctx) {
                let proposed = p.replicas
                status["currentMetrics"] = [["type": "Resource", "resource": ["name": "cpu", "current": [
                    "averageUtilization": .int(Int64(p.utilization)), "averageValue": .string("\(p.averageMilli)m")]]]]
                condition("ScalingActive", true, "ValidMetricFound", "the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)")
                let window = hpa[path: ["spec", "behavior", "scaleDown", "stabilizationWindowSeconds"]]?.int ?? 300
                let stabilized = recommendations.record(key, proposed, at: now.seconds, window: window)
                desired = min(max(stabilized, minReplicas), maxReplicas)
                if stabilized > maxReplicas {
                    condition("ScalingLimited", true, "TooManyReplicas", "the desired replica count is more than the maximum replica count")
                } else if stabilized < minReplicas {
                    condition("ScalingLimited", true, "TooFewReplicas", "the desired replica count is less than the minimum replica count")
                } else {
                    condition("ScalingLimited", false, "DesiredWithinRange", "the desired count is within the acceptable range")
                }
            } else {
                condition("ScalingActive", false, "FailedGetResourceMetric",
                          "the HPA was unable to compute the replica count: no CPU metrics, or a pod without a CPU request, among the target's pods")
            }
            if desired != current {
                _ = try await ctx.client.mergePatch(target.resource, namespace: ns, name: target.name, ["spec": ["replicas": .int(Int64(desired))]], subresource: "scale")
                let reason = desired > current ? "above" : "below"
                await ctx.events.record(hpa, reason: "SuccessfulRescale", message: "New size: \(desired); reason: cpu resource utilization (percentage of request) \(reason) target")
                status["lastScaleTime"] = .string(now.rfc3339)
            }
            status["desiredReplicas"] = .int(Int64(desired))
        } catch let e as TargetProblem {
            condition("AbleToScale", false, "FailedGetScale", e.message)
            await ctx.events.record(hpa, type: "Warning", reason: "FailedGetScale", message: e.message)
        }
        status["conditions"] = .array(conditions)
        status["observedGeneration"] = hpa[path: ["metadata", "generation"]]
        if Self.withoutTimes(status) != Self.withoutTimes(hpa["status"] ?? [:]) || status["lastScaleTime"] != hpa[path: ["status", "lastScaleTime"]] {
            var u = hpa
            u["status"] = status
            _ = try await ctx.client.updateStatus(Self.hpas, u)
        }
        throw RequeueAfter(syncPeriod)
    }

    /// Status without transition times, so an unchanged status is not rewritten every sync.
    static func withoutTimes(_ s: JSON) -> JSON {
        var out = s
        out["conditions"] = s["conditions"].map { .array(($0.array ?? []).map { var c = $0; c["lastTransitionTime"] = nil; return c }) }
        return out
    }

    struct TargetProblem: Error { let message: String }

    struct Target {
        var resource: ResourceInfo, name: String, replicas: Int64, selector: JSON?
    }

    func scaleTarget(_ hpa: JSON, ns: String, _ ctx: ControllerContext) async throws -> Target {
        let ref = hpa[path: ["spec", "scaleTargetRef"]] ?? [:]
        let kind = ref["kind"]?.string ?? "", name = ref["name"]?.string ?? ""
        guard let r = BuiltinResources.lookup(apiVersion: ref["apiVersion"]?.string ?? "", kind: kind), r.subresources.contains("scale") else {
            throw TargetProblem(message: "the HPA controller was unable to get the target's current scale: no scale subresource for \(kind)")
        }
        guard let obj = try await ctx.client.getIfExists(r, namespace: ns, name: name) else {
            throw TargetProblem(message: "the HPA controller was unable to get the target's current scale: \(r.plural).\(r.group) \"\(name)\" not found")
        }
        return Target(resource: r, name: name, replicas: obj[path: ["spec", "replicas"]]?.int ?? 1, selector: obj[path: ["spec", "selector"]])
    }

    struct Proposal { var utilization: Int, replicas: Int, averageMilli: Int64 }

    /// Utilization and proposed replicas from the CPU Resource metric, or nil when it cannot be computed.
    func cpuProposal(_ hpa: JSON, target: Target, ns: String, current: Int, _ ctx: ControllerContext) async throws -> Proposal? {
        let metric = (hpa[path: ["spec", "metrics"]]?.array ?? []).first {
            $0["type"]?.string == "Resource" && $0[path: ["resource", "name"]]?.string == "cpu"
        }
        let targetUtilization = metric?[path: ["resource", "target", "averageUtilization"]]?.int ?? 80
        guard targetUtilization > 0 else { return nil } // validation refuses it; an old stored object may still hold it
        let pods = ctx.informers.informer(Self.pods).byIndex(.namespace, ns).filter {
            PodHelpers.isActive($0) && LabelSelectorMatcher.matches(target.selector, $0[path: ["metadata", "labels"]]?.object ?? JSONObject())
        }
        let names = pods.compactMap { $0[path: ["metadata", "name"]]?.string }
        let usage = try await metrics.cpuUsage(namespace: ns, pods: names)
        var used: Int64 = 0, requested: Int64 = 0, sampled = 0
        for p in pods {
            guard let n = p[path: ["metadata", "name"]]?.string, let u = usage[n] else { continue }
            let req = (p[path: ["spec", "containers"]]?.array ?? []).reduce(Int64(0)) {
                $0.saturatingAdding($1[path: ["resources", "requests", "cpu"]].flatMap(QuantityValue.milliInt) ?? 0)
            }
            guard req > 0 else { return nil }
            // Usage comes from nodes and requests from pods: any int64, so the sums saturate.
            used = used.saturatingAdding(max(0, u))
            requested = requested.saturatingAdding(req)
            sampled += 1
        }
        guard sampled > 0, requested > 0 else { return nil }
        let utilization = Double(used) * 100 / Double(requested)
        let ratio = utilization / Double(targetUtilization)
        // Upstream sizes from the pods that reported, not the replica count.
        let replicas = abs(ratio - 1) <= Self.tolerance ? current : Int(clampingToInt32: (ratio * Double(sampled)).rounded(.up))
        return Proposal(utilization: Int(clampingToInt32: utilization.rounded()), replicas: replicas, averageMilli: used / Int64(sampled))
    }
}
