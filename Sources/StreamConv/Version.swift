/// The version of streamconv, written into output files' `software` string and printed by
/// `streamconv --version`.
public enum StreamConvVersion {
    /// Semantic version of this source tree.
    public static let string = "0.2.0"
}
