import GRDB
private import GRDBSQLite

/// SQLite's C API over a prepared GRDB statement: the one file where kiqprof calls SQLite directly. Only the
/// paths that move millions of rows use it (the log import's inserts, the analysis's loads), because GRDB
/// boxes every value, which costs more there than the row itself.
struct SQLiteStatement {
    let statement: Statement

    init(_ statement: Statement) { self.statement = statement }

    private var handle: OpaquePointer { statement.sqliteStatement }

    /// Steps a query: true on a row, false when done; a failure names the SQL.
    func nextRow() throws -> Bool {
        let code = sqlite3_step(handle)
        if code == SQLITE_ROW { return true }
        if code == SQLITE_DONE { return false }
        throw error(code)
    }

    /// Runs an insert or update once with the bound values, then resets it for the next; a failure names the SQL.
    func execute() throws {
        let code = sqlite3_step(handle)
        defer { sqlite3_reset(handle) }
        guard code == SQLITE_DONE else { throw error(code) }
    }

    /// Makes a query stepped with `nextRow` ready to run again with new parameters.
    func reset() { sqlite3_reset(handle) }

    private func error(_ code: Int32) -> DatabaseError {
        let message = sqlite3_errmsg(sqlite3_db_handle(handle)).map { String(cString: $0) }
        return DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
    }

    // MARK: - Columns of the current row (0-based)

    func text(_ column: Int32) -> String? {
        guard let bytes = sqlite3_column_text(handle, column) else { return nil }
        return String(cString: bytes)
    }

    func double(_ column: Int32) -> Double? {
        sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : sqlite3_column_double(handle, column)
    }

    /// A NOT NULL column's value.
    func number(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }

    /// A NOT NULL integer column's value.
    func integer(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    // MARK: - Parameters (1-based); SQLite copies text, so the caller's buffer may go away

    func bind(_ index: Int32, _ text: String?) {
        guard var text else { sqlite3_bind_null(handle, index); return }
        text.withUTF8 { bind(index, UnsafeRawBufferPointer($0)) }
    }

    func bind(_ index: Int32, _ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { _ = sqlite3_bind_text(handle, index, "", 0, Self.transient); return }
        _ = sqlite3_bind_text(handle, index, base.assumingMemoryBound(to: CChar.self), Int32(bytes.count), Self.transient)
    }

    func bind(_ index: Int32, _ number: Double?) {
        guard let number else { sqlite3_bind_null(handle, index); return }
        sqlite3_bind_double(handle, index, number)
    }

    func bind(_ index: Int32, _ integer: Int64?) {
        guard let integer else { sqlite3_bind_null(handle, index); return }
        sqlite3_bind_int64(handle, index, integer)
    }

    /// SQLITE_TRANSIENT: SQLite copies the bytes (a C macro, so not imported).
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}
