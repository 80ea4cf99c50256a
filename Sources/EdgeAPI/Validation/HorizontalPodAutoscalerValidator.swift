/// autoscaling/v2 HorizontalPodAutoscalers: a replica range with minReplicas
/// at least 1 and maxReplicas at least minReplicas, and a named scale target.
public enum HorizontalPodAutoscalerValidator {
    public static func validate(_ o: JSON) -> [FieldError] {
        var errs: [FieldError] = []
        let minR = o[path: ["spec", "minReplicas"]]?.int ?? 1
        let maxR = o[path: ["spec", "maxReplicas"]]?.int ?? 0
        if minR < 1 { errs.append(.invalid("spec.minReplicas", .int(minR), "must be greater than or equal to 1")) }
        if maxR < minR { errs.append(.invalid("spec.maxReplicas", .int(maxR), "must be greater than or equal to `minReplicas`")) }
        if o[path: ["spec", "scaleTargetRef", "name"]]?.string?.isEmpty ?? true { errs.append(.required("spec.scaleTargetRef.name")) }
        return errs
    }
}
