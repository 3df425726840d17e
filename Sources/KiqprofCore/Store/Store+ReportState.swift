import GRDB

extension Store {
    /// The end of the window the previous report covered (`report --since-last`), if any.
    public func lastReportEnd() throws -> Double? {
        try reading { db in
            try String.fetchOne(db, sql: "SELECT value FROM report_state WHERE name = 'last_report_to'").flatMap(Double.init)
        }
    }

    public func setLastReportEnd(_ t: Double) throws {
        try writing { db in
            try db.execute(sql: """
                INSERT INTO report_state (name, value) VALUES ('last_report_to', ?)
                ON CONFLICT (name) DO UPDATE SET value = excluded.value
                """, arguments: [String(t)])
        }
    }
}
