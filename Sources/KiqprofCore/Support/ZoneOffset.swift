import Foundation

/// Reads a time zone given on the command line as seconds east of UTC.
public enum ZoneOffset {
    /// `UTC`, `Z`, `+01:00`, `-0500`, or an IANA name such as `Europe/Berlin` (its current offset).
    public static func parse(_ text: String) -> Int? {
        let trimmed = text.trimmingWhitespace()
        if ["utc", "z", "gmt"].contains(trimmed.lowercased()) { return 0 }
        if let sign = trimmed.first, sign == "+" || sign == "-" {
            let digits = trimmed.dropFirst().filter { $0 != ":" }
            guard digits.count == 4 || digits.count == 2, let value = Int(digits) else { return nil }
            let seconds = digits.count == 4 ? (value / 100) * 3600 + (value % 100) * 60 : value * 3600
            return sign == "-" ? -seconds : seconds
        }
        return TimeZone(identifier: trimmed)?.secondsFromGMT()
    }

    /// This machine's current offset from UTC.
    public static var local: Int { TimeZone.current.secondsFromGMT() }
}
