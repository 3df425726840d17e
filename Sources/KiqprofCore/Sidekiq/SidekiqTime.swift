/// Sidekiq timestamp units: seconds (floats) up to 7.x, integer milliseconds in 8.x job payloads.
public enum SidekiqTime {
    /// Normalises a payload timestamp to epoch seconds by magnitude, so integer seconds from
    /// non-Ruby clients also work: a value ≥ 1e11 is milliseconds (sidekiq-layout §2.2).
    @inline(__always)
    public static func epochSeconds(_ value: Double) -> Double { value >= 1e11 ? value / 1000 : value }

    /// Parses the `%Y-%m-%d %H:%M:%S %z` strings of sidekiq-scheduler and sidekiq-cron
    /// (`2026-11-26 17:50:00 +0000`), and Ruby's `Time#to_s` with ` UTC`.
    public static func parseRubyTime(_ text: String) -> Double? {
        let trimmed = text.trimmingWhitespace()
        if trimmed.isEmpty { return nil }
        if trimmed.hasSuffix(" UTC") { return TimeExpression.parseISO(String(trimmed.dropLast(4)) + "Z") }
        return TimeExpression.parseISO(trimmed)
    }
}
