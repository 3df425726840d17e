/// What one Sidekiq log line says, as far as job runs are concerned.
public enum SidekiqLogEvent: Sendable, Equatable {
    /// `start` of a job on a thread.
    case start(time: Double, pid: Int, tid: String, jid: String, jobClass: String)
    /// `done` or `fail`, with Sidekiq's own `elapsed` seconds.
    case end(time: Double, pid: Int, tid: String, jid: String, jobClass: String, elapsed: Double?, failed: Bool)
    /// The error handler's line naming the exception class of the thread's last failure.
    case error(pid: Int, tid: String, errorClass: String)
    /// The process hit its shutdown deadline: the jobs still running are killed and pushed back.
    case hardShutdown(pid: Int)
    /// A Sidekiq line that is not about a job run (boot, shutdown, application output).
    case other
}
