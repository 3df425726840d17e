import GRDB

extension Store {
    /// The end of the window the previous report covered (`report --since-last`), if any.
    public func lastReportEnd() throws -> Double? {
        do {
            return try database.read { db in
                try String.fetchOne(db, sql: "SELECT value FROM report_state WHERE name = 'last_report_to'").flatMap(Double.init)
            }
        } catch let error as DatabaseError {
            throw StoreError.database(path: path, error: error)
        }
    }

    public func setLastReportEnd(_ t: Double) throws {
        do {
            try database.write { db in
                try db.execute(sql: """
                    INSERT INTO report_state (name, value) VALUES ('last_report_to', ?)
                    ON CONFLICT (name) DO UPDATE SET value = excluded.value
                    """, arguments: [String(t)])
            }
        } catch let error as DatabaseError {
            throw StoreError.database(path: path, error: error)
        }
    }
}
