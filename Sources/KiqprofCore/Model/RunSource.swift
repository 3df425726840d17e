/// Where a job run was seen: polled from Redis by `record` (its end bracketed by heartbeats), read from a
/// Sidekiq log (exact), or summed from Sidekiq 7/8 metrics.
public enum RunSource: String, Codable, Sendable, CaseIterable {
    case poll, log, metrics
}
