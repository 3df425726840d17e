/// A stretch of time when the host or Sidekiq was in trouble, with the signals that define it.
public struct OutageWindow: Sendable, Equatable {
    public var from: Double
    public var to: Double
    /// Plain sentences with numbers, e.g. "CPU busy ≥ 90 % for 4m 10s (peak 100 %)".
    public var signals: [String]
    /// Whether memory ran out in it (MemAvailable, swapping or memory pressure), not only CPU or Sidekiq.
    public var memoryExhausted: Bool

    public init(from: Double, to: Double, signals: [String], memoryExhausted: Bool = false) {
        self.from = from
        self.to = to
        self.signals = signals
        self.memoryExhausted = memoryExhausted
    }

    public var duration: Double { max(0, to - from) }
}
