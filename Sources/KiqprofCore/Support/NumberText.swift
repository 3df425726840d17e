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

    /// Exactly `places` decimals: `fixed(27.56, places: 1)` is "27.6".
    public static func fixed(_ value: Double, places: Int) -> String {
        guard value.isFinite else { return "?" }
        let whole = (0..<places).reduce(1) { value, _ in value * 10 }
        let scaled = Int((abs(value) * Double(whole)).rounded())
        let fraction = String(scaled % whole)
        let padded = String(repeating: "0", count: places - fraction.count) + fraction
        return (value < 0 && scaled > 0 ? "-" : "") + "\(scaled / whole)" + (places > 0 ? "." + padded : "")
    }

    /// Like `signed`, with two significant digits below 0.1: a month's bloat is hundredths of a MB per run, not "+0.0".
    public static func signedFine(_ value: Double) -> String {
        guard value.isFinite, value != 0, abs(value) < 0.1 else { return signed(value) }
        var places = 2
        while places < 6 && abs(value) * (0..<places).reduce(1.0, { value, _ in value * 10 }) < 10 { places += 1 }
        return (value < 0 ? "-" : "+") + fixed(abs(value), places: places)
    }
}
