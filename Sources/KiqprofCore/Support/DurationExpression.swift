/// Parses kiqprof durations: `500ms`, `90s`, `5m`, `2h`, `14d`, or a bare number of seconds.
public enum DurationExpression {
    public static func parse(_ text: String) throws -> Double {
        let trimmed = text.trimmingWhitespace().lowercased()
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400), ("w", 604800)]
        for (suffix, scale) in units where trimmed.hasSuffix(suffix) {
            if let value = Double(trimmed.dropLast(suffix.count)), value >= 0, value.isFinite {
                return value * scale
            }
        }
        if let value = Double(trimmed), value >= 0, value.isFinite { return value }
        throw KiqprofError.invalidArgument("'\(text)' is not a duration; expected e.g. 500ms, 90s, 5m, 2h, 14d or a number of seconds")
    }

    /// A human form for tables: `35ms`, `4.2s`, `42s`, `3m05s`, `2h14m`, `3d4h`.
    public static func humanize(_ seconds: Double) -> String {
        if seconds < 0 { return "-" + humanize(-seconds) }
        if seconds < 0.9995 { return "\(Int((seconds * 1000).rounded()))ms" }
        if seconds < 10 { return String(format2(seconds)) + "s" }
        let total = Int(seconds.rounded())
        if total < 60 { return "\(total)s" }
        if total < 3600 { return "\(total / 60)m\(ISOTimestamp.pad(total % 60, 2))s" }
        if total < 86400 { return "\(total / 3600)h\(ISOTimestamp.pad(total % 3600 / 60, 2))m" }
        return "\(total / 86400)d\(total % 86400 / 3600)h"
    }

    static func format2(_ value: Double) -> String {
        let scaled = Int((value * 10).rounded())
        return "\(scaled / 10).\(scaled % 10)"
    }
}
