/// The names of Sidekiq 7.x/8.x execution-metric keys (sidekiq-layout §8): the per-minute and 10-minute
/// `j|…` hashes and the per-class histogram strings.
public struct SidekiqMetricKey: Sendable, Equatable {
    /// Epoch seconds of the minute (or 10-minute window) the hash covers, UTC.
    public let start: Double
    /// 60 for a one-minute hash, 600 for 8.x's ten-minute rollup.
    public let seconds: Double
    /// 7 (`j|%Y%m%d|%-H:%-M`) or 8 (`j|%y%m%d|%-H:%M`, rollup minus the last character).
    public let family: Int

    /// Parses a hash key name (without namespace), or nil if it is not a metrics hash.
    public init?(hashKey: String) {
        let parts = hashKey.split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "j", parts[1].allSatisfy(\.isNumber) else { return nil }
        let date = parts[1]
        let year: Int, month: Int, day: Int
        if date.count == 8 {
            guard let y = Int(date.prefix(4)), let m = Int(date.dropFirst(4).prefix(2)), let d = Int(date.suffix(2)) else { return nil }
            (year, month, day, family) = (y, m, d, 7)
        } else if date.count == 6 {
            guard let y = Int(date.prefix(2)), let m = Int(date.dropFirst(2).prefix(2)), let d = Int(date.suffix(2)) else { return nil }
            (year, month, day, family) = (2000 + y, m, d, 8)
        } else {
            return nil
        }
        let time = parts[2].split(separator: ":", omittingEmptySubsequences: false)
        guard time.count == 2, let hour = Int(time[0]), let minuteText = Optional(time[1]), let minute = Int(minuteText),
            (1...12).contains(month), (1...31).contains(day), hour < 24
        else { return nil }
        let midnight = Double(SidekiqLogParser.daysFromCivil(year: year, month: month, day: day) * 86400 + hour * 3600)
        if family == 8 && minuteText.count == 1 {
            // The ten-minute rollup: "17:5" is 17:50–17:59.
            start = midnight + Double(minute * 600)
            seconds = 600
        } else {
            guard minute < 60 else { return nil }
            start = midnight + Double(minute * 60)
            seconds = 60
        }
    }

    /// The histogram key of `jobClass` for this minute: `Class-DD-HH:M` (7.x) or `h|Class-D-H:M` (8.x).
    public func histogramKey(jobClass: String) -> String {
        Self.histogramName(start: start, family: family, jobClass: jobClass)
    }

    /// Sidekiq's histogram: 26 unsigned 16-bit big-endian counters; a shorter string means zeros after it.
    public static func histogramCounts(_ bytes: [UInt8]) -> [Int] {
        (0..<26).map { index in
            let offset = index * 2
            guard offset + 1 < bytes.count else { return offset < bytes.count ? Int(bytes[offset]) << 8 : 0 }
            return Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
        }
    }
}

extension SidekiqMetricKey {
    /// The histogram key of a minute, for the version family the hashes showed.
    static func histogramName(start: Double, family: Int, jobClass: String) -> String {
        let total = Int(start)
        let day = Int(ISOTimestamp.format(start).dropFirst(8).prefix(2))!
        let hour = total % 86400 / 3600
        let minute = total % 3600 / 60
        if family == 7 { return "\(jobClass)-\(ISOTimestamp.pad(day, 2))-\(ISOTimestamp.pad(hour, 2)):\(minute)" }
        return "h|\(jobClass)-\(day)-\(hour):\(minute)"
    }
}
