/// A stretch of time when the host or Sidekiq was in trouble, with the signals that define it.
public struct OutageWindow: Sendable, Equatable {
    public var from: Double
    public var to: Double
    /// Plain sentences with numbers, e.g. "CPU busy ≥ 90 % for 4m 10s (peak 100 %)".
    public var signals: [String]

    public init(from: Double, to: Double, signals: [String]) {
        self.from = from
        self.to = to
        self.signals = signals
    }

    public var duration: Double { max(0, to - from) }
}
