/// A problem that has not happened yet but will at the current rate: a periodic class whose runs grow
/// toward its period, or memory running out. `check`, `incident` and `report` show the same sentence.
public struct EarlyWarning: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// A periodic class whose duration grows run over run until it overlaps its next run.
        case periodicOverlap = "periodic_overlap"
        /// Available memory falling toward zero.
        case memoryExhaustion = "memory_exhaustion"
    }

    public var kind: Kind
    /// The job class, or the host.
    public var subject: String
    /// Seconds until it happens at the current rate.
    public var secondsLeft: Double
    /// For `periodicOverlap`: runs until a run outlasts the period, the growth per run (1.25 = +25 %), the period.
    public var runsLeft: Int?
    public var growthPerRun: Double?
    public var period: Double?
    /// For `memoryExhaustion`: MiB available at the last sample, and the rate (MiB per second, negative).
    public var availableMB: Double?
    public var rateMBPerSecond: Double?
    public var message: String

    public init(kind: Kind, subject: String, secondsLeft: Double, message: String) {
        self.kind = kind
        self.subject = subject
        self.secondsLeft = secondsLeft
        self.message = message
    }
}
