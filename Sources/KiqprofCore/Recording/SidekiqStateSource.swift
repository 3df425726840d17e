/// Where the recorder reads Sidekiq's state from: Redis in `kiqprof record` (`RedisStateSource`), a script
/// in unit tests. The recorder owns the policy (when to reconnect, what a failure means); the source only
/// reads.
public protocol SidekiqStateSource: AnyObject {
    /// True while a connection is up; false before the first `connect` and after `disconnect`.
    var isConnected: Bool { get }

    /// Opens a fresh connection; whatever the previous one remembered (the beats already read) is forgotten,
    /// so the first poll after it reads every process afresh.
    func connect() throws

    /// The limit on each wait for Redis, for this connection and later ones; the recorder shortens it while
    /// Redis stalls, so the host is still sampled every interval.
    var timeout: Double { get set }

    /// Drops the connection after a failed poll.
    func disconnect()

    /// One poll, with the retry/dead reads that settle `outcomeChecks` riding in it (see
    /// `RunOutcomeSettler.commands(for:keyspace:)`). Only the work of processes whose heartbeat changed is
    /// listed in `busy` (see `SidekiqStatus.changedIdentities`). Throws when Redis stops answering.
    func poll(now: Double, includeSchedules: Bool, outcomeChecks: [RunTracker.EndedRun]) throws -> SidekiqStatePoll
}
