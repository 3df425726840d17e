/// Settles the outcome of runs that ended while Sidekiq's failed counter moved: a run whose jid is in
/// `dead` (scored at death) or `retry` (scored at the next retry) failed. Pure: it is fed the members
/// read from the score windows that `commands(for:)` asks for.
public enum RunOutcomeSettler {
    /// Retry delays are `count**4 + 15` s plus jitter; this window covers the first five retries.
    static let retryWindowAfterEnd: Double = 15 + 4 * 4 * 4 * 4 + 9 * 5 + 60

    /// The two bounded reads that find recent failures of `runs` (one score window each for dead and retry).
    public static func commands(for runs: [JobRun], keyspace: SidekiqKeyspace) -> [RedisCommand] {
        let ends = runs.compactMap(\.endMin) + runs.compactMap(\.endMax)
        guard let low = ends.min(), let high = ends.max() else { return [] }
        return [
            RedisCommand("ZRANGEBYSCORE", keyspace.dead, String(low - 1), String(high + 1), "LIMIT", "0", "500"),
            RedisCommand("ZRANGEBYSCORE", keyspace.retry, String(low + 15), String(high + retryWindowAfterEnd), "LIMIT", "0", "1000"),
        ]
    }

    /// Marks `failed` (with the error class) the runs whose jid appears in the members read; others keep their outcome.
    public static func settle(_ runs: [JobRun], replies: [RedisValue]) -> [JobRun] {
        var errors: [String: String] = [:]
        let wanted = Set(runs.compactMap(\.jid))
        for reply in replies {
            for member in reply.array ?? [] {
                guard case .bulkString(let bytes) = member, let job = try? JobPayload.decode(bytes), let jid = job.jid, wanted.contains(jid) else { continue }
                errors[jid] = job.errorClass ?? errors[jid] ?? "unknown error"
            }
        }
        return runs.map { run in
            guard let jid = run.jid, let errorClass = errors[jid] else { return run }
            var failed = run
            failed.outcome = .failed
            failed.errorClass = errorClass
            return failed
        }
    }
}
