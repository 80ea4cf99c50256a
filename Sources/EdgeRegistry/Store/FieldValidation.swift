/// `?fieldValidation=`: what a write does with fields its type does not define
/// and with repeated keys: refuse (Strict), report in a Warning (Warn, the
/// default) or drop silently (Ignore).
public enum FieldValidation: String, Sendable {
    case strict = "Strict", warn = "Warn", ignore = "Ignore"
}
