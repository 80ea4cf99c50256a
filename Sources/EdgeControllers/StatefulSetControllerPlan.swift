import EdgeAPI

/// The pure half of the StatefulSet controller: what to create or delete next,
/// the pods themselves and the status, each from one snapshot of the set and its
/// pods, so every ordering rule can be tested without a cluster.
extension StatefulSetController {
    /// A set's knobs, read once with the API's defaults.
    struct Spec: Sendable {
        var name: String
        var replicas: Int
        /// OrderedReady: one pod at a time, in ordinal order. Parallel is not monotonic.
        var monotonic: Bool
        var onDelete: Bool
        var partition: Int
        var minReadySeconds: Int64
        /// `<set>-<template hash>`, the name upstream gives the ControllerRevision.
        var updateRevision: String

        init(_ set: JSON) {
            name = set[path: ["metadata", "name"]]?.string ?? ""
            replicas = max(0, set[path: ["spec", "replicas"]]?.clampedInt ?? 1)
            monotonic = set[path: ["spec", "podManagementPolicy"]]?.string != "Parallel"
            onDelete = set[path: ["spec", "updateStrategy", "type"]]?.string == "OnDelete"
            partition = max(0, set[path: ["spec", "updateStrategy", "rollingUpdate", "partition"]]?.clampedInt ?? 0)
            minReadySeconds = set[path: ["spec", "minReadySeconds"]]?.int ?? 0
            updateRevision = name + "-" + DeploymentMath.templateHash(set[path: ["spec", "template"]])
        }
    }

    /// What one reconcile does. Deletes carry the pod so its uid can guard the call.
    struct Plan: Equatable, Sendable {
        var creates: [Int] = []
        var deletes: [JSON] = []
    }

    /// The ordinal in `<set>-<n>`; names like `web-01` or `web-x` are not the set's pods.
    static func ordinal(_ pod: JSON, set: String) -> Int? {
        guard let name = pod[path: ["metadata", "name"]]?.string, name.hasPrefix(set + "-") else { return nil }
        let digits = name.dropFirst(set.count + 1)
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let n = Int(digits), String(n) == digits else { return nil }
        return n
    }

    static func revision(_ pod: JSON) -> String? { pod[path: ["metadata", "labels", revisionLabel]]?.string }

    static func runningAndReady(_ pod: JSON) -> Bool {
        pod[path: ["status", "phase"]]?.string == "Running" && PodHelpers.isReady(pod)
    }

    /// Healthy enough for the next ordinal (or the next replacement) to go ahead.
    static func healthy(_ pod: JSON, minReadySeconds: Int64, now: Timestamp) -> Bool {
        runningAndReady(pod) && !PodHelpers.isBeingDeleted(pod) && PodHelpers.isAvailable(pod, minReadySeconds: minReadySeconds, now: now)
    }

    /// The next creates and deletes for a set whose pods (by ordinal) are `pods`.
    /// Order of concerns, as upstream: keep ordinals 0..<replicas present, then
    /// remove ordinals beyond, then (RollingUpdate) replace outdated pods.
    /// OrderedReady stops at the first thing it must wait for.
    static let maxCreatesPerPass = 500

    static func plan(_ spec: Spec, pods: [Int: JSON], now: Timestamp) -> Plan {
        var plan = Plan()
        func healthy(_ p: JSON) -> Bool { Self.healthy(p, minReadySeconds: spec.minReadySeconds, now: now) }

        for i in 0..<spec.replicas {
            guard let p = pods[i] else {
                plan.creates.append(i)
                // A pass creates a bounded number (replicas may be any int32); the next pass goes on.
                if spec.monotonic || plan.creates.count >= maxCreatesPerPass { return plan }
                continue
            }
            // A finished pod (Failed, or Succeeded after an eviction) is removed so
            // the next pass can bring it back under the same name.
            if PodHelpers.isTerminal(p) {
                if !PodHelpers.isBeingDeleted(p) { plan.deletes.append(p) }
                if spec.monotonic { return plan }
                continue
            }
            if spec.monotonic && !healthy(p) { return plan }
        }

        // Scale down from the highest ordinal. OrderedReady removes one at a time and
        // waits for it to be gone; it will remove an unhealthy pod only if it is the
        // lowest-ordinal unhealthy one, so it never skips past a pod still starting.
        let condemned = pods.filter { $0.key >= spec.replicas }.sorted { $0.key > $1.key }.map(\.value)
        let firstUnhealthy = condemned.last { !healthy($0) }?[path: ["metadata", "uid"]]
        for p in condemned {
            if PodHelpers.isBeingDeleted(p) {
                if spec.monotonic { return plan }
                continue
            }
            if spec.monotonic && !healthy(p) && p[path: ["metadata", "uid"]] != firstUnhealthy { return plan }
            plan.deletes.append(p)
            if spec.monotonic { return plan }
        }

        // OnDelete: the user decides when a pod is replaced; creates above use the new template.
        guard !spec.onDelete else { return plan }
        // RollingUpdate: from the highest ordinal down to the partition, replace the first
        // outdated pod, but only once every pod above it is back and healthy.
        let deleting = Set(plan.deletes.compactMap { $0[path: ["metadata", "uid"]]?.string })
        for i in stride(from: spec.replicas - 1, through: spec.partition, by: -1) {
            guard let p = pods[i], !deleting.contains(p[path: ["metadata", "uid"]]?.string ?? "") else { return plan }
            if revision(p) != spec.updateRevision && !PodHelpers.isBeingDeleted(p) {
                plan.deletes.append(p)
                return plan
            }
            if !healthy(p) { return plan }
        }
        return plan
    }

    /// Pod `<set>-<ordinal>` from the template, with the stable identity: name,
    /// hostname, subdomain (the governing Service) and the identity labels.
    /// volumeClaimTemplates are not applied: the API has no persistentvolumeclaims
    /// yet, so there are no claims to create or mount.
    static func newPod(_ set: JSON, spec: Spec, ordinal: Int) -> JSON {
        let podName = "\(spec.name)-\(ordinal)"
        var pod = PodHelpers.pod(from: set[path: ["spec", "template"]], owner: set, generateName: "",
                                 namespace: set[path: ["metadata", "namespace"]]?.string ?? "")
        pod[path: ["metadata", "generateName"]] = nil
        pod[path: ["metadata", "name"]] = .string(podName)
        pod[path: ["metadata", "labels", podNameLabel]] = .string(podName)
        pod[path: ["metadata", "labels", podIndexLabel]] = .string(String(ordinal))
        pod[path: ["metadata", "labels", revisionLabel]] = .string(spec.updateRevision)
        pod[path: ["spec", "hostname"]] = .string(podName)
        if let svc = set[path: ["spec", "serviceName"]]?.string, !svc.isEmpty { pod[path: ["spec", "subdomain"]] = .string(svc) }
        return pod
    }

    /// The status for `pods` (every owned pod with an ordinal, terminating ones included).
    static func status(_ set: JSON, spec: Spec, pods: [JSON], now: Timestamp) -> JSON {
        let live = pods.filter { !PodHelpers.isBeingDeleted($0) }
        let ready = pods.filter(runningAndReady)
        let available = ready.filter { PodHelpers.isAvailable($0, minReadySeconds: spec.minReadySeconds, now: now) }.count
        let updated = live.filter { revision($0) == spec.updateRevision }.count
        // The first revision a set has is its current one; it stays current until a
        // rolling update has every pod updated and ready (never, below a partition).
        var current = set[path: ["status", "currentRevision"]]?.string ?? ""
        if current.isEmpty { current = spec.updateRevision }
        var currentCount = live.filter { revision($0) == current }.count
        if !spec.onDelete && updated == pods.count && ready.count == pods.count {
            current = spec.updateRevision
            currentCount = updated
        }
        var s: JSON = [
            "observedGeneration": set[path: ["metadata", "generation"]] ?? 0,
            "replicas": .int(Int64(pods.count)), "readyReplicas": .int(Int64(ready.count)),
            "currentReplicas": .int(Int64(currentCount)), "updatedReplicas": .int(Int64(updated)),
            "availableReplicas": .int(Int64(available)),
            "currentRevision": .string(current), "updateRevision": .string(spec.updateRevision),
            "collisionCount": set[path: ["status", "collisionCount"]] ?? 0,
        ]
        if let conds = set[path: ["status", "conditions"]] { s["conditions"] = conds }
        return s
    }
}
