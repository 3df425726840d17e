import GRDB

/// A job run's row in `job_run`: `end` holds the estimate, `end_min`/`end_max` the bracket.
extension JobRun: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "job_run"

    public init(row: Row) {
        let estimate: Double? = row["end"]
        let earliest: Double? = row["end_min"], latest: Double? = row["end_max"]
        self.init(jid: row["jid"], jobClass: row["class"], queue: row["queue"], identity: row["identity"], host: row["host"],
                  pid: row["pid"], tid: row["tid"], start: row["start"],
                  // A row with only `end` (an exact end written without its bracket) is exact.
                  end: RunEnd(earliest: earliest ?? estimate, latest: latest ?? estimate),
                  outcome: RunOutcome(rawValue: row["outcome"]) ?? .unknown, source: RunSource(rawValue: row["source"]) ?? .poll)
        id = row["id"]
        cause = (row["cause"] as String?).flatMap(RunCause.init(rawValue:))
        argsDigest = row["args_digest"]
        errorClass = row["error_class"]
        importId = row["import_id"]
        if let seconds: Double = row["cpu_s"] {
            cpu = RunCPU(seconds: seconds, minSeconds: row["cpu_s_min"] ?? seconds, maxSeconds: row["cpu_s_max"] ?? seconds,
                         mapping: (row["cpu_mapping"] as String?).flatMap(ThreadMappingConfidence.init(rawValue:)) ?? .likely)
        }
        cpuNote = (row["cpu_note"] as String?).flatMap(RunCPUNote.init(rawValue:))
    }

    public func encode(to container: inout PersistenceContainer) {
        container["id"] = id
        container["jid"] = jid
        container["class"] = jobClass
        container["queue"] = queue
        container["identity"] = identity
        container["host"] = host
        container["pid"] = pid
        container["tid"] = tid
        container["start"] = start
        container["end"] = end.estimate
        container["end_min"] = end.earliest
        container["end_max"] = end.latest
        container["outcome"] = outcome.rawValue
        container["cause"] = cause?.rawValue
        container["source"] = source.rawValue
        container["args_digest"] = argsDigest
        container["error_class"] = errorClass
        container["import_id"] = importId
        container["cpu_s"] = cpu?.seconds
        container["cpu_s_min"] = cpu?.minSeconds
        container["cpu_s_max"] = cpu?.maxSeconds
        container["cpu_mapping"] = cpu?.mapping.rawValue
        container["cpu_note"] = cpuNote?.rawValue
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
