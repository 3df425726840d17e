import GRDB

/// One execution of a job: exact from a log, or reconstructed from polls with its end bracketed.
public struct JobRun: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "job_run"

    public typealias Outcome = RunOutcome
    public typealias Source = RunSource

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
    /// The best estimate: exact from a log, the middle of [endMin, endMax] from polling; nil while running.
    public var end: Double?
    public var endMin: Double?
    public var endMax: Double?
    public var outcome: Outcome
    public var source: Source
    public var argsDigest: String?
    public var errorClass: String?
    public var importId: Int64?

    enum CodingKeys: String, CodingKey {
        case id, jid, jobClass = "class", queue, identity, host, pid, tid, start, end
        case endMin = "end_min", endMax = "end_max", outcome, source, argsDigest = "args_digest"
        case errorClass = "error_class", importId = "import_id"
    }

    public init(jid: String?, jobClass: String, queue: String?, identity: String?, host: String?, pid: Int?, tid: String?,
                start: Double, endMin: Double? = nil, endMax: Double? = nil, outcome: Outcome, source: Source) {
        self.jid = jid
        self.jobClass = jobClass
        self.queue = queue
        self.identity = identity
        self.host = host
        self.pid = pid
        self.tid = tid
        self.start = start
        self.endMin = endMin
        self.endMax = endMax
        if let endMin, let endMax { self.end = (endMin + endMax) / 2 } else { self.end = endMax ?? endMin }
        self.outcome = outcome
        self.source = source
    }

    public var duration: Double? { end.map { max(0, $0 - start) } }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
