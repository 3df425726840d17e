import GRDB
private import GRDBSQLite

/// Inserts job runs through one prepared statement, binding through SQLite's C API: GRDB's
/// `execute(arguments:)` boxes every value, which cost more than the insert itself on multi-million-row
/// log imports. The recorder writes `JobRun`s this way, the log import its `LogRun`s.
final class JobRunInserter {
    private let statement: Statement

    init(db: Database) throws {
        statement = try db.cachedStatement(sql: """
            INSERT INTO job_run (jid, class, queue, identity, host, pid, tid, start, end, end_min, end_max, outcome, source, args_digest, error_class, import_id)
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
        bindTimes(statement, r.start, r.end, r.endMin, r.endMax)
        bind(statement, 12, r.outcome.rawValue)
        bind(statement, 13, r.source.rawValue)
        bind(statement, 14, r.argsDigest)
        bind(statement, 15, r.errorClass)
        if let importId { sqlite3_bind_int64(statement, 16, importId) } else { sqlite3_bind_null(statement, 16) }
        try step(statement)
    }

    /// A log run: its names are indexes into `names`; `defaultHost` applies where its line named none.
    func insert(_ r: LogRun, names: [String], defaultHost: String?, importId: Int64) throws {
        let statement = self.statement.sqliteStatement
        bind(statement, 1, r.jid, names: names)
        bind(statement, 2, names[Int(r.jobClass)])
        sqlite3_bind_null(statement, 3)
        sqlite3_bind_null(statement, 4)
        bind(statement, 5, r.host < 0 ? defaultHost : names[Int(r.host)])
        sqlite3_bind_int64(statement, 6, Int64(r.pid))
        bind(statement, 7, r.tid, names: names)
        bindTimes(statement, r.start, r.end, r.endMin, r.endMax)
        bind(statement, 12, r.outcome.rawValue)
        bind(statement, 13, JobRun.Source.log.rawValue)
        sqlite3_bind_null(statement, 14)
        bind(statement, 15, r.errorClass < 0 ? nil : names[Int(r.errorClass)])
        sqlite3_bind_int64(statement, 16, importId)
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

    private func bindTimes(_ statement: OpaquePointer, _ start: Double, _ end: Double?, _ endMin: Double?, _ endMax: Double?) {
        sqlite3_bind_double(statement, 8, start)
        bind(statement, 9, end)
        bind(statement, 10, endMin)
        bind(statement, 11, endMax)
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
