import GRDB

/// Inserts job runs through one prepared statement, binding through SQLite's C API: GRDB's
/// `execute(arguments:)` boxes every value, which cost more than the insert itself on multi-million-row
/// log imports. The recorder writes `JobRun`s this way, the log import its `LogRun`s.
final class JobRunInserter {
    private let db: Database
    private let statement: SQLiteStatement
    /// Log runs go through a statement of their own that rebinds a column only when its value changed:
    /// every SQLite call takes the connection's mutex, and most columns repeat from one run to the next.
    private var logStatement: SQLiteStatement?
    private var bound = LogBindings()

    private struct LogBindings {
        var jobClass: Int32 = .min
        var host: Int32 = .min
        var pid = Int.min
        var outcome: JobRun.Outcome?
        var errorClass: Int32 = .min
        var endMin: Double??
        var endMax: Double??
    }

    init(db: Database) throws {
        self.db = db
        statement = SQLiteStatement(try db.cachedStatement(sql: """
            INSERT INTO job_run (jid, class, queue, identity, host, pid, tid, start, end, end_min, end_max, outcome, source, args_digest,\
             error_class, import_id, cpu_s, cpu_s_min, cpu_s_max, cpu_mapping, cpu_note)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """))
    }

    func insert(_ r: JobRun, importId: Int64?) throws {
        statement.bind(1, r.jid)
        statement.bind(2, r.jobClass)
        statement.bind(3, r.queue)
        statement.bind(4, r.identity)
        statement.bind(5, r.host)
        statement.bind(6, r.pid.map(Int64.init))
        statement.bind(7, r.tid)
        statement.bind(8, r.start)
        statement.bind(9, r.end.estimate)
        statement.bind(10, r.end.earliest)
        statement.bind(11, r.end.latest)
        statement.bind(12, r.outcome.rawValue)
        statement.bind(13, r.source.rawValue)
        statement.bind(14, r.argsDigest)
        statement.bind(15, r.errorClass)
        statement.bind(16, importId)
        statement.bind(17, r.cpu?.seconds)
        statement.bind(18, r.cpu?.minSeconds)
        statement.bind(19, r.cpu?.maxSeconds)
        statement.bind(20, r.cpu?.mapping.rawValue)
        statement.bind(21, r.cpuNote?.rawValue)
        try statement.execute()
    }

    /// A log run of import `importId` (the same on every call): its names are indexes into `names`;
    /// `defaultHost` applies where its line named none.
    func insert(_ r: LogRun, names: [String], defaultHost: String?, importId: Int64) throws {
        if logStatement == nil {
            // An ended run's end_min and end_max are its end: bound only when they differ (a lost run).
            let prepared = SQLiteStatement(try db.makeStatement(sql: """
                INSERT INTO job_run (jid, tid, start, end, end_min, end_max, class, host, pid, outcome, error_class, import_id, source)
                VALUES (?1, ?2, ?3, ?4, ifnull(?5, ?4), ifnull(?6, ?4), ?7, ?8, ?9, ?10, ?11, ?12, '\(RunSource.log.rawValue)')
                """))
            prepared.bind(12, importId)
            logStatement = prepared
        }
        let statement = logStatement!
        r.jid.withBytes(names: names) { statement.bind(1, $0) }
        r.tid.withBytes(names: names) { statement.bind(2, $0) }
        statement.bind(3, r.start)
        let end = r.end.estimate
        statement.bind(4, end)
        let endMin = r.end.earliest == end ? nil : r.end.earliest
        if bound.endMin != .some(endMin) { statement.bind(5, endMin); bound.endMin = endMin }
        let endMax = r.end.latest == end ? nil : r.end.latest
        if bound.endMax != .some(endMax) { statement.bind(6, endMax); bound.endMax = endMax }
        if bound.jobClass != r.jobClass { statement.bind(7, names[Int(r.jobClass)]); bound.jobClass = r.jobClass }
        if bound.host != r.host { statement.bind(8, r.host < 0 ? defaultHost : names[Int(r.host)]); bound.host = r.host }
        if bound.pid != r.pid { statement.bind(9, Int64(r.pid)); bound.pid = r.pid }
        if bound.outcome != r.outcome { statement.bind(10, r.outcome.rawValue); bound.outcome = r.outcome }
        if bound.errorClass != r.errorClass {
            statement.bind(11, r.errorClass < 0 ? nil : names[Int(r.errorClass)])
            bound.errorClass = r.errorClass
        }
        try statement.execute()
    }
}

@available(*, unavailable)
extension JobRunInserter: Sendable {}
