/// `@OptionGroup`: a ParsableArguments value whose declarations join the command's.
protocol DeclaredGroup {
    var title: String { get }
    var arguments: any ParsableArguments { get }
}
