/// Settles the outcome of runs that ended while Sidekiq's global failed counter moved.
///
/// A run whose jid is in `dead` (scored at death) or `retry` (scored at the next retry) failed. For the
/// others the counter is accounted for: every failure flushed between the two polls that bracket a run's
/// end moved it, and a failure is flushed at its process's heartbeat, just before the beat that no longer
/// lists it (the failed run's `end_max`). When the failures found with such a beat inside a run's bracket
/// explain the whole increase, the run did not fail (`ok`). A run not yet explained waits up to
/// `patience` for failures found later; then it stays `unknown` (a job with `retry: false`, a short job's
/// failure, a custom retry delay beyond the window) for logs to settle. Pure: it is fed the members read
/// from the score windows that `commands(for:)` asks for.
public struct RunOutcomeSettler: Sendable {
    /// Retry delays are `count**4 + 15` s plus jitter; this window covers the first five retries.
    static let retryWindowAfterEnd: Double = 15 + 4 * 4 * 4 * 4 + 9 * 5 + 60
    /// How long found failures are kept to explain counter increases of runs that end later.
    static let memory: Double = 600
    /// How long an unexplained run waits for failures found later (two 10 s heartbeats and a poll).
    static let patience: Double = 25

    /// When each failure found was flushed (the beat that dropped the failed run).
    private var failureFlushes: [Double] = []
    /// Runs whose counter increase is not explained yet.
    private var waiting: [RunTracker.EndedRun] = []

    public init() {}

    /// The two bounded reads that find recent failures of `runs` (one score window each for dead and retry).
    public static func commands(for runs: [RunTracker.EndedRun], keyspace: SidekiqKeyspace) -> [RedisCommand] {
        let ends = runs.compactMap(\.run.end.earliest) + runs.compactMap(\.run.end.latest)
        guard let low = ends.min(), let high = ends.max() else { return [] }
        return [
            RedisCommand("ZRANGEBYSCORE", keyspace.dead, String(low - 1), String(high + 1), "LIMIT", "0", "500"),
            RedisCommand("ZRANGEBYSCORE", keyspace.retry, String(low + 15), String(high + retryWindowAfterEnd), "LIMIT", "0", "1000"),
        ]
    }

    /// Marks `failed` (with the error class) the runs whose jid appears in the members read, then `ok` the
    /// runs whose counter increase the failures found explain. Returns the runs that are settled (or have
    /// waited long enough), at `now`; the others wait for the next call.
    public mutating func settle(_ ended: [RunTracker.EndedRun], replies: [RedisValue], now: Double) -> [JobRun] {
        var errors: [String: String] = [:]
        let wanted = Set(ended.compactMap(\.run.jid))
        for reply in replies {
            for member in reply.array ?? [] {
                guard case .bulkString(let bytes) = member, let job = try? JobPayload.decode(bytes), let jid = job.jid, wanted.contains(jid)
                else { continue }
                errors[jid] = job.errorClass ?? errors[jid] ?? "unknown error"
            }
        }
        var settled: [JobRun] = []
        var candidates = waiting
        for var entry in ended {
            if let jid = entry.run.jid, let errorClass = errors[jid] {
                entry.run.outcome = .failed
                entry.run.errorClass = errorClass
                failureFlushes.append(entry.run.end.latest ?? entry.windowEnd)
                settled.append(entry.run)
            } else {
                candidates.append(entry)
            }
        }
        waiting = []
        for var entry in candidates {
            if let before = entry.failedBefore, let after = entry.failedAfter, after >= before {
                let explained = failureFlushes.filter { $0 > entry.windowStart && $0 <= entry.windowEnd }.count
                if Int64(explained) >= after - before {
                    entry.run.outcome = .ok
                    settled.append(entry.run)
                    continue
                }
            }
            if now - entry.windowEnd < Self.patience { waiting.append(entry) } else { settled.append(entry.run) }
        }
        failureFlushes.removeAll { $0 < now - Self.memory }
        return settled
    }

    /// Everything still waiting, as it stands (for a recorder that stops).
    public mutating func drain() -> [JobRun] {
        defer { waiting = [] }
        return waiting.map(\.run)
    }
}
