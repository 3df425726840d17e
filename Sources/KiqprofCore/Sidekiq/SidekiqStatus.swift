/// Everything `kiqprof status` shows, read in one pass at `now`.
public struct SidekiqStatus: Sendable, Equatable {
    public var now: Double
    public var processed: Int64?
    public var failed: Int64?
    public var processedToday: Int64?
    public var failedToday: Int64?
    public var retrySize: Int
    public var scheduleSize: Int
    public var deadSize: Int
    public var queues: [QueueSummary]
    public var processes: [SidekiqProcess]
    /// Sorted longest-running first.
    public var busy: [BusyJob]
    public var schedules: [PeriodicSchedule]
    /// Problems that did not stop the read: wrong key types, unreadable payloads. Each names its key.
    public var warnings: [String]
    /// Processes whose heartbeat the reader saw change since its previous read; nil when all were read afresh.
    /// Work of the others is exactly as before (Sidekiq rewrites work and beat together).
    public var changedIdentities: Set<String>? = nil

    /// The distinct Sidekiq versions of the processes seen, e.g. `["7.3.10"]`.
    public var versions: [String] {
        var seen: [String] = []
        for process in processes where process.state == .live && !seen.contains(process.versionLabel) {
            seen.append(process.versionLabel)
        }
        return seen
    }

    public var enqueued: Int { queues.reduce(0) { $0 + $1.size } }
}
