/// The version of this package, recorded in checkpoints (`Checkpoint`) so that a checkpoint written by
/// another version, whose numerics may differ in the last bit, is refused instead of silently mixed.
/// Raise it with any change that can alter a result bit.
public enum PackageVersion {
    public static let current = "0.17.0"
}
