/// How an array option or argument collects its values.
public enum ArrayParsingStrategy: Sendable {
    /// Options: one value per occurrence (`--disable a --disable b`).
    /// Arguments: every remaining positional value.
    case singleValue
    /// Arguments: only the values after `--` (`edgectl install server -- --tls-san x`).
    case postTerminator
    /// Arguments: the first positional value and everything after it, options included,
    /// untouched (`edgectl run-container --rootfs R sh -c 'ls -l'`).
    case captureForPassthrough
}
