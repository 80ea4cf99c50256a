/// ConfigMaps and Secrets: data keys are config keys, and an object marked
/// `immutable` keeps its data.
public enum ConfigDataValidator {
    public static func validate(_ o: JSON, old: JSON?) -> [FieldError] {
        var errs: [FieldError] = []
        for field in ["data", "binaryData"] {
            for k in (o[field]?.object ?? JSONObject()).keys { errs += NameRules.configKey("\(field)[\(k)]", k) }
        }
        if let old, old["immutable"]?.bool == true, old["data"] != o["data"] {
            errs.append(.forbidden("data", "field is immutable when `immutable` is set"))
        }
        return errs
    }
}
