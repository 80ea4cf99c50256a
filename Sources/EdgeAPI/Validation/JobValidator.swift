/// batch/v1 Jobs and CronJobs: non-negative counts and deadlines, a pod
/// template that restarts OnFailure or Never, a parseable cron schedule.
public enum JobValidator {
    public static func job(_ o: JSON) -> [FieldError] {
        spec(o["spec"] ?? [:], path: "spec")
    }

    static func spec(_ spec: JSON, path: String) -> [FieldError] {
        var errs: [FieldError] = []
        let s: JSON = ["s": spec]
        for f in ["parallelism", "completions", "backoffLimit", "activeDeadlineSeconds", "ttlSecondsAfterFinished"] {
            ObjectMetaValidator.nonNegative(s, ["s", f], &errs)
        }
        errs = errs.map { var e = $0; e.field = path + e.field.dropFirst(1); return e }
        errs += PodValidator.spec(spec[path: ["template", "spec"]], path: path + ".template.spec")
        let rp = spec[path: ["template", "spec", "restartPolicy"]]?.string ?? "Always"
        if rp != "OnFailure" && rp != "Never" {
            errs.append(.notSupported(path + ".template.spec.restartPolicy", .string(rp), ["OnFailure", "Never"]))
        }
        return errs
    }

    public static func cronJob(_ o: JSON) -> [FieldError] {
        var errs: [FieldError] = []
        let schedule = o[path: ["spec", "schedule"]]?.string ?? ""
        if schedule.isEmpty { errs.append(.required("spec.schedule")) } else {
            do { _ = try CronSchedule(schedule) } catch {
                errs.append(.invalid("spec.schedule", .string(schedule), "unparseable cron expression: \(error)"))
            }
        }
        if let p = o[path: ["spec", "concurrencyPolicy"]]?.string, !["Allow", "Forbid", "Replace"].contains(p) {
            errs.append(.notSupported("spec.concurrencyPolicy", .string(p), ["Allow", "Forbid", "Replace"]))
        }
        errs += spec(o[path: ["spec", "jobTemplate", "spec"]] ?? [:], path: "spec.jobTemplate.spec")
        return errs
    }
}
