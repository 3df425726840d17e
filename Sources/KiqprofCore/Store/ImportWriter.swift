import GRDB
private import GRDBSQLite

/// Writes one import inside a single transaction; `ImportWriter` is what the importer sees of it.
public final class ImportWriter {
    let db: Database
    let importId: Int64
    private let runStatement: Statement
    /// Polled runs by jid (few; the recorder's), so each log run can supersede its polled twin in memory.
    private let polledStarts: [String: [(id: Int64, start: Double)]]
    /// Polled runs a log run of this import supersedes.
    private(set) var superseded: [Int64] = []

    init(db: Database, importId: Int64) throws {
        self.db = db
        self.importId = importId
        var polled: [String: [(id: Int64, start: Double)]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, jid, start FROM job_run WHERE source = 'poll' AND jid IS NOT NULL") {
            polled[row["jid"], default: []].append((row["id"], row["start"]))
        }
        polledStarts = polled
        runStatement = try db.makeStatement(sql: """
            INSERT INTO job_run (jid, class, queue, identity, host, pid, tid, start, end, end_min, end_max, outcome, source, args_digest, error_class, import_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
    }

    public func insert(_ runs: [JobRun]) throws {
        let statement = runStatement.sqliteStatement
        for r in runs {
            if !polledStarts.isEmpty, let jid = r.jid, let twins = polledStarts[jid] {
                // Its times are exact: a log run replaces the polled run of the same jid started within 2 s.
                superseded += twins.filter { abs($0.start - r.start) <= 2 }.map(\.id)
            }
            // Bound straight through SQLite's C API: GRDB's `execute(arguments:)` boxes every value, which
            // cost more than the insert itself on multi-million-row log imports.
            sqlite3_reset(statement)
            bind(statement, 1, r.jid)
            bind(statement, 2, r.jobClass)
            bind(statement, 3, r.queue)
            bind(statement, 4, r.identity)
            bind(statement, 5, r.host)
            if let pid = r.pid { sqlite3_bind_int64(statement, 6, Int64(pid)) } else { sqlite3_bind_null(statement, 6) }
            bind(statement, 7, r.tid)
            bind(statement, 8, r.start)
            bind(statement, 9, r.end)
            bind(statement, 10, r.endMin)
            bind(statement, 11, r.endMax)
            bind(statement, 12, r.outcome.rawValue)
            bind(statement, 13, r.source.rawValue)
            bind(statement, 14, r.argsDigest)
            bind(statement, 15, r.errorClass)
            sqlite3_bind_int64(statement, 16, importId)
            let code = sqlite3_step(statement)
            guard code == SQLITE_DONE else {
                let message = sqlite3_errmsg(sqlite3_db_handle(statement)).map { String(cString: $0) }
                sqlite3_reset(statement)
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: "INSERT INTO job_run …")
            }
        }
        sqlite3_reset(statement)
    }

    private func bind(_ statement: OpaquePointer, _ index: Int32, _ text: String?) {
        guard var text else { sqlite3_bind_null(statement, index); return }
        text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { _ = sqlite3_bind_text(statement, index, "", 0, Self.transient); return }
            _ = sqlite3_bind_text(statement, index, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(bytes.count), Self.transient)
        }
    }

    private func bind(_ statement: OpaquePointer, _ index: Int32, _ number: Double?) {
        guard let number else { sqlite3_bind_null(statement, index); return }
        sqlite3_bind_double(statement, index, number)
    }

    /// SQLITE_TRANSIENT: SQLite copies the bytes (a C macro, so not imported).
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}

@available(*, unavailable)
extension ImportWriter: Sendable {}
