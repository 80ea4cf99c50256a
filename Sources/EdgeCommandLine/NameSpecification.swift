/// How an option or flag is spelt on the command line. The default, `.long`, is the
/// property's name in kebab case: `var caCertHash` is `--ca-cert-hash`.
public enum NameSpecification: Sendable {
    case long
    case customLong(String)
    /// `-x` (the name's first letter) as well as the long name.
    case shortAndLong

    func names(key: String) -> (long: String, short: Character?) {
        let kebab = KebabCase.from(key)
        switch self {
        case .long: return (kebab, nil)
        case .customLong(let name): return (name, nil)
        case .shortAndLong: return (kebab, kebab.first)
        }
    }
}
