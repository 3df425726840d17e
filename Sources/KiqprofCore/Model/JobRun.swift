/// One execution of a job, as every stage speaks of it: exact from a log, or reconstructed from polls with
/// its end bracketed. The import's `LogRun` and the analysis's `IncidentDataset.Run` are compact views of it.
public struct JobRun: Sendable, Equatable {
    public typealias Outcome = RunOutcome
    public typealias Source = RunSource

    /// The store's row id, once stored.
    public var id: Int64?
    public var jid: String?
    public var jobClass: String
    public var queue: String?
    public var identity: String?
    public var host: String?
    public var pid: Int?
    public var tid: String?
    /// Epoch seconds. From polling, the work entry's `run_at` (whole seconds, exact).
    public var start: Double
    public var end: RunEnd
    public var outcome: Outcome
    /// Why it was lost, when a kernel log says (set by `Store.applyOOMKills`).
    public var cause: RunCause?
    public var source: Source
    public var argsDigest: String?
    public var errorClass: String?
    public var importId: Int64?
    /// The CPU its thread used, measured by `record` on the process's host; nil with `cpuNote` saying why.
    public var cpu: RunCPU?
    public var cpuNote: RunCPUNote?

    public init(jid: String?, jobClass: String, queue: String?, identity: String?, host: String?, pid: Int?, tid: String?,
                start: Double, end: RunEnd = .unknown, outcome: Outcome, source: Source) {
        self.jid = jid
        self.jobClass = jobClass
        self.queue = queue
        self.identity = identity
        self.host = host
        self.pid = pid
        self.tid = tid
        self.start = start
        self.end = end
        self.outcome = outcome
        self.source = source
    }

    /// From the start to the end's estimate; nil while open.
    public var duration: Double? { end.estimate.map { max(0, $0 - start) } }

    /// Measured CPU per second of its duration (1 = a whole core); nil where either is unknown.
    public var cpuShare: Double? { cpu?.share(duration: duration) }
}
