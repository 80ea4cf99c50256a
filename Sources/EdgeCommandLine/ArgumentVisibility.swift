/// Whether help and usage show an option: hidden ones (test hooks) still parse.
public enum ArgumentVisibility: Sendable {
    case `default`
    case hidden
}
