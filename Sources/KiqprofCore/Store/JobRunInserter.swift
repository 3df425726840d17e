import GRDB
private import GRDBSQLite

/// Inserts job runs through one prepared statement, binding through SQLite's C API: GRDB's
/// `execute(arguments:)` boxes every value, which cost more than the insert itself on multi-million-row
/// log imports. The recorder writes `JobRun`s this way, the log import its `LogRun`s.
final class JobRunInserter {
    private let db: Database
    private let statement: Statement
    /// Log runs go through a statement of their own that rebinds a column only when its value changed:
    /// every SQLite call takes the connection's mutex, and most columns repeat from one run to the next.
    private var logStatement: Statement?
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
        statement = try db.cachedStatement(sql: """
            INSERT INTO job_run (jid, class, queue, identity, host, pid, tid, start, end, end_min, end_max, outcome, source, args_digest,\
             error_class, import_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
    }

    func insert(_ r: JobRun, importId: Int64?) throws {
        let statement = self.statement.sqliteStatement
        bind(statement, 1, r.jid)
        bind(statement, 2, r.jobClass)
        bind(statement, 3, r.queue)
        bind(statement, 4, r.identity)
        bind(statement, 5, r.host)
        if let pid = r.pid { sqlite3_bind_int64(statement, 6, Int64(pid)) } else { sqlite3_bind_null(statement, 6) }
        bind(statement, 7, r.tid)
        sqlite3_bind_double(statement, 8, r.start)
        bind(statement, 9, r.end)
        bind(statement, 10, r.endMin)
        bind(statement, 11, r.endMax)
        bind(statement, 12, r.outcome.rawValue)
        bind(statement, 13, r.source.rawValue)
        bind(statement, 14, r.argsDigest)
        bind(statement, 15, r.errorClass)
        if let importId { sqlite3_bind_int64(statement, 16, importId) } else { sqlite3_bind_null(statement, 16) }
        try step(statement)
    }

    /// A log run of import `importId` (the same on every call): its names are indexes into `names`;
    /// `defaultHost` applies where its line named none.
    func insert(_ r: LogRun, names: [String], defaultHost: String?, importId: Int64) throws {
        if logStatement == nil {
            // An ended run's end_min and end_max are its end: bound only when they differ (a lost run).
            let prepared = try db.makeStatement(sql: """
                INSERT INTO job_run (jid, tid, start, end, end_min, end_max, class, host, pid, outcome, error_class, import_id, source)
                VALUES (?1, ?2, ?3, ?4, ifnull(?5, ?4), ifnull(?6, ?4), ?7, ?8, ?9, ?10, ?11, ?12, '\(RunSource.log.rawValue)')
                """)
            sqlite3_bind_int64(prepared.sqliteStatement, 12, importId)
            logStatement = prepared
        }
        let statement = logStatement!.sqliteStatement
        bind(statement, 1, r.jid, names: names)
        bind(statement, 2, r.tid, names: names)
        sqlite3_bind_double(statement, 3, r.start)
        bind(statement, 4, r.end)
        let endMin = r.endMin == r.end ? nil : r.endMin
        if bound.endMin != .some(endMin) { bind(statement, 5, endMin); bound.endMin = endMin }
        let endMax = r.endMax == r.end ? nil : r.endMax
        if bound.endMax != .some(endMax) { bind(statement, 6, endMax); bound.endMax = endMax }
        if bound.jobClass != r.jobClass { bind(statement, 7, names[Int(r.jobClass)]); bound.jobClass = r.jobClass }
        if bound.host != r.host { bind(statement, 8, r.host < 0 ? defaultHost : names[Int(r.host)]); bound.host = r.host }
        if bound.pid != r.pid { sqlite3_bind_int64(statement, 9, Int64(r.pid)); bound.pid = r.pid }
        if bound.outcome != r.outcome { bind(statement, 10, r.outcome.rawValue); bound.outcome = r.outcome }
        if bound.errorClass != r.errorClass {
            bind(statement, 11, r.errorClass < 0 ? nil : names[Int(r.errorClass)])
            bound.errorClass = r.errorClass
        }
        try step(statement)
    }

    private func step(_ statement: OpaquePointer) throws {
        let code = sqlite3_step(statement)
        defer { sqlite3_reset(statement) }
        guard code == SQLITE_DONE else {
            let message = sqlite3_errmsg(sqlite3_db_handle(statement)).map { String(cString: $0) }
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: "INSERT INTO job_run …")
        }
    }

    private func bind(_ statement: OpaquePointer, _ index: Int32, _ text: String?) {
        guard var text else { sqlite3_bind_null(statement, index); return }
        text.withUTF8 { bind(statement, index, UnsafeRawBufferPointer($0)) }
    }

    private func bind(_ statement: OpaquePointer, _ index: Int32, _ token: LogToken, names: [String]) {
        token.withBytes(names: names) { bind(statement, index, $0) }
    }

    private func bind(_ statement: OpaquePointer, _ index: Int32, _ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { _ = sqlite3_bind_text(statement, index, "", 0, Self.transient); return }
        _ = sqlite3_bind_text(statement, index, base.assumingMemoryBound(to: CChar.self), Int32(bytes.count), Self.transient)
    }

    private func bind(_ statement: OpaquePointer, _ index: Int32, _ number: Double?) {
        guard let number else { sqlite3_bind_null(statement, index); return }
        sqlite3_bind_double(statement, index, number)
    }

    /// SQLITE_TRANSIENT: SQLite copies the bytes (a C macro, so not imported).
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}

@available(*, unavailable)
extension JobRunInserter: Sendable {}
