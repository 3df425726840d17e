#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Formats epoch seconds the way kiqprof's JSON promises: ISO-8601 UTC with milliseconds.
public enum ISOTimestamp {
    /// `1795715276.169` → `2026-11-26T17:47:56.169Z`.
    public static func format(_ epochSeconds: Double) -> String {
        var millis = Int64((epochSeconds * 1000).rounded())
        var seconds = millis / 1000
        millis %= 1000
        if millis < 0 { millis += 1000; seconds -= 1 }
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        return "\(pad(Int(parts.tm_year) + 1900, 4))-\(pad(Int(parts.tm_mon) + 1, 2))-\(pad(Int(parts.tm_mday), 2))T"
            + "\(pad(Int(parts.tm_hour), 2)):\(pad(Int(parts.tm_min), 2)):\(pad(Int(parts.tm_sec), 2)).\(pad(Int(millis), 3))Z"
    }

    /// The UTC calendar date `YYYY-MM-DD`, as Sidekiq names its daily stat keys.
    public static func utcDate(_ epochSeconds: Double) -> String {
        String(format(epochSeconds).prefix(10))
    }

    /// A compact local-free form for tables: `2026-11-26 17:47:56Z`.
    public static func short(_ epochSeconds: Double) -> String {
        let full = format(epochSeconds)
        return String(full.prefix(10)) + " " + String(full.dropFirst(11).prefix(8)) + "Z"
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
