#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Parses kiqprof times: ISO-8601 (`2026-11-24T15:10:00Z`, `…+01:00`, `2026-11-24 15:10`), epoch seconds,
/// `now`, or relative to now (`-2h`, `-90s`). A time without an offset is read in the machine's local zone.
public enum TimeExpression {
    public static func parse(_ text: String, now: Double) throws -> Double {
        let input = text.trimmingWhitespace()
        if input.lowercased() == "now" { return now }
        if input.hasPrefix("-") || input.hasPrefix("+"), input.count > 1 {
            let sign: Double = input.hasPrefix("-") ? -1 : 1
            if let seconds = try? DurationExpression.parse(String(input.dropFirst())) { return now + sign * seconds }
        }
        if let epoch = Double(input), epoch > 1_000_000 { return epoch >= 1e11 ? epoch / 1000 : epoch }
        if let parsed = parseISO(input) { return parsed }
        throw KiqprofError.invalidArgument(
            "'\(text)' is not a time; expected ISO-8601 (2026-11-24T15:10:00Z, 2026-11-24 15:10), epoch seconds, now, or -2h")
    }

    /// Parses `YYYY-MM-DD[T ]HH:MM[:SS[.fff]][Z|±HH[:]MM]`, or a bare date (midnight).
    public static func parseISO(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ digits: Int) -> Int? {
            guard index + digits <= bytes.count else { return nil }
            var value = 0
            for offset in 0..<digits {
                let byte = bytes[index + offset]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            index += digits
            return value
        }
        func expect(_ character: Character) -> Bool {
            guard index < bytes.count, bytes[index] == character.asciiValue! else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2) else { return nil }
        var hour = 0, minute = 0, second = 0
        var fraction = 0.0
        if index < bytes.count, bytes[index] == UInt8(ascii: "T") || bytes[index] == UInt8(ascii: " ") {
            index += 1
            guard let h = number(2), expect(":"), let m = number(2) else { return nil }
            hour = h
            minute = m
            if expect(":") {
                guard let s = number(2) else { return nil }
                second = s
                if expect(".") || expect(",") {
                    var scale = 0.1
                    while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                        fraction += Double(bytes[index] - 48) * scale
                        scale /= 10
                        index += 1
                    }
                }
            }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: " ") { index += 1 }
        var offsetSeconds: Int?
        if index < bytes.count {
            if expect("Z") || expect("z") {
                offsetSeconds = 0
            } else if bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
                index += 1
                guard let oh = number(2) else { return nil }
                _ = expect(":")
                let om = number(2) ?? 0
                offsetSeconds = sign * (oh * 3600 + om * 60)
            } else {
                return nil
            }
        }
        guard index == bytes.count, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else {
            return nil
        }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        if let offsetSeconds {
            return Double(timegm(&parts) - offsetSeconds) + fraction
        }
        parts.tm_isdst = -1
        return Double(mktime(&parts)) + fraction
    }

    /// The name of the machine's local zone, for output that says which zone a bare time used.
    public static var localZoneName: String {
        if let zone = getenv("TZ").map({ String(cString: $0) }), !zone.isEmpty { return zone }
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        return parts.tm_zone.map { String(cString: $0) } ?? "local"
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var view = Substring(self)
        while let first = view.first, first.isWhitespace { view.removeFirst() }
        while let last = view.last, last.isWhitespace { view.removeLast() }
        return String(view)
    }
}
