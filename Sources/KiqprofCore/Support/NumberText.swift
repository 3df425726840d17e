/// Numbers for sentences and tables: whole when large, one decimal when small, an explicit sign for
/// differences. Deterministic and locale-free.
public enum NumberText {
    public static func compact(_ value: Double) -> String {
        guard value.isFinite else { return "?" }
        if abs(value) >= 10 || value == value.rounded() { return String(Int(value.rounded())) }
        let tenths = Int((abs(value) * 10).rounded())
        return (value < 0 && tenths > 0 ? "-" : "") + "\(tenths / 10).\(tenths % 10)"
    }

    /// `+46`, `-3`, `+0.4`.
    public static func signed(_ value: Double) -> String {
        let text = compact(value)
        return value >= 0 && !text.hasPrefix("-") ? "+" + text : text
    }

    /// Percent of a fraction, e.g. 0.423 → "42".
    public static func percent(_ fraction: Double) -> String { compact(fraction * 100) }
}
