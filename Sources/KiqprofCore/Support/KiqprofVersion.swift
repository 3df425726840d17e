/// kiqprof's own version.
public enum KiqprofVersion {
    public static let current = "0.1.0"
}
