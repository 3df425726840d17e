/// Why a run has no measured CPU (`cpu_s` null). Stored as the raw value in `job_run.cpu_note`.
public enum RunCPUNote: String, Codable, Sendable, CaseIterable {
    /// Its process runs on another host: kiqprof reads /proc only where it runs.
    case remote
    /// The process's threads could not be read (gone, or another user's without the right to read them).
    case unreadable
    /// No kernel thread matched the Sidekiq thread before the run's evidence expired.
    case unmapped
    /// Two or more kernel threads fit the Sidekiq thread about as well: no guess is made.
    case unsure
    /// The run started before the recorder's per-thread history (it began before recording, or ran longer
    /// than the history holds).
    case startUnseen = "start_unseen"
    /// Read from a log: logs carry no thread CPU.
    case log

    /// One line for a person, naming what to do where something can be done.
    public var explanation: String {
        switch self {
        case .remote: return "its process runs on another host: run kiqprof record there to measure it"
        case .unreadable: return "its process's threads could not be read from /proc (gone, or not readable by this user)"
        case .unmapped: return "its Sidekiq thread was never matched to a kernel thread"
        case .unsure: return "two or more kernel threads fit its Sidekiq thread about as well; kiqprof does not guess"
        case .startUnseen: return "it started before the recorder's per-thread history"
        case .log: return "it comes from a log, which carries no thread CPU"
        }
    }
}
