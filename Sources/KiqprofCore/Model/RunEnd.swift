/// When a job run ended, as far as it was seen: exact (a log line), inside a bracket (the recorder saw it
/// listed at `earliest` and gone by `latest`), or not yet known (running, or its process vanished mid-run,
/// when only `earliest` is known). The one place the end's estimate is derived.
public struct RunEnd: Sendable, Equatable, Hashable {
    public var earliest: Double?
    public var latest: Double?

    public init(earliest: Double?, latest: Double?) {
        self.earliest = earliest
        self.latest = latest
    }

    public static let unknown = RunEnd(earliest: nil, latest: nil)

    public static func exact(_ time: Double) -> RunEnd { RunEnd(earliest: time, latest: time) }

    /// Still open: seen running until `time`.
    public static func openSince(_ time: Double) -> RunEnd { RunEnd(earliest: time, latest: nil) }

    public static func between(_ earliest: Double, _ latest: Double) -> RunEnd { RunEnd(earliest: earliest, latest: latest) }

    /// The best single estimate: the bracket's middle (an end is equally likely anywhere in it); nil while open.
    public var estimate: Double? {
        guard let latest else { return nil }
        guard let earliest else { return latest }
        return (earliest + latest) / 2
    }

    /// Whether the end is not known yet: the run is open.
    public var isOpen: Bool { latest == nil }

    /// The bracket when the end is uncertain (both bounds known and apart); nil when exact or open.
    public var bracket: ClosedRange<Double>? {
        guard let earliest, let latest, latest > earliest else { return nil }
        return earliest...latest
    }

    /// Half the bracket's width: how far `estimate` can be off.
    public var uncertainty: Double? { bracket.map { ($0.upperBound - $0.lowerBound) / 2 } }
}
