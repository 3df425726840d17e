/// One job class's Sidekiq 7/8 execution metrics for one minute (or a ten-minute rollup), as the metrics
/// import reads them from Redis and the store keeps them.
public struct ClassMinuteMetric: Sendable, Equatable {
    /// The store's `source` column: which of Sidekiq's hashes the row came from.
    public enum Source: String, Sendable, CaseIterable {
        case minute = "metrics"
        case tenMinutes = "metrics-10m"

        public var seconds: Double { self == .tenMinutes ? 600 : 60 }
    }

    public var minute: Double
    /// 60 for a one-minute hash, 600 for an 8.x ten-minute rollup.
    public var seconds: Double
    public var jobClass: String
    public var processed: Int
    public var failed: Int
    /// Milliseconds of successful executions.
    public var totalMs: Int
    /// 26 counters of successful executions by duration bucket (one-minute rows only).
    public var histogram: [Int]?

    public var source: Source { seconds == 600 ? .tenMinutes : .minute }
}
