import Foundation
import GRDB

extension Store {
    /// The outcome of `performImport`: whether the same content had been imported before.
    public enum ImportResult: Sendable { case added, alreadyImported }

    /// Runs `body` inside one write transaction: all of the import lands, or none of it. `body` returns the
    /// content's fingerprint; if an earlier import had the same one, everything is rolled back.
    /// Log runs supersede polled runs of the same jid that started within 2 s (their times are exact).
    /// `expectedRuns`: about how many runs the import will add, if known (see `rebuildsStartIndex`).
    public func performImport(kind: ImportKind, path: String, expectedRuns: Int? = nil, body: (ImportWriter) throws -> String)
        throws -> (ImportResult, superseded: Int, duplicatesSkipped: Int)
    {
        struct AlreadyImported: Error {}
        var superseded = 0, duplicates = 0
        do {
            try writing { db in
                try db.execute(sql: "INSERT INTO import_record (kind, fingerprint, path, imported_at) VALUES (?, ?, ?, ?)",
                               arguments: [kind.rawValue, "pending:\(UUID().uuidString)", path, Date().timeIntervalSince1970])
                let importId = db.lastInsertedRowID
                let writer = try ImportWriter(db: db, importId: importId)
                // Checking earlier imports' runs needs the start index, so it is only rebuilt when there are none.
                let startIndex = try writer.checksStoredLogRuns ? nil
                    : expectedRuns.flatMap { try Self.startIndexToRebuild(db, expectedRuns: $0) }
                if startIndex != nil { try db.execute(sql: "DROP INDEX job_run_by_start") }
                let fingerprint = try body(writer)
                if try Bool.fetchOne(db, sql: "SELECT 1 FROM import_record WHERE fingerprint = ?", arguments: [fingerprint]) == true {
                    throw AlreadyImported()
                }
                if let startIndex {
                    // Parsing is over: the sort takes the second core too. Each of its threads buffers
                    // cache_size of keys, so a small one keeps peak RSS down.
                    try db.execute(sql: "PRAGMA cache_size = -8192; PRAGMA threads = 2")
                    try db.execute(sql: startIndex)
                    try db.execute(sql: "PRAGMA cache_size = -\(Self.cacheKiB); PRAGMA threads = 0")
                }
                try db.execute(sql: "UPDATE import_record SET fingerprint = ? WHERE id = ?", arguments: [fingerprint, importId])
                let replaced = writer.superseded + writer.completed
                for ids in stride(from: 0, to: replaced.count, by: 500).map({ Array(replaced[$0..<min($0 + 500, replaced.count)]) }) {
                    try db.execute(sql: "DELETE FROM job_run WHERE id IN (\(ids.map { _ in "?" }.joined(separator: ",")))",
                        arguments: StatementArguments(ids))
                }
                superseded = Set(writer.superseded).count
                duplicates = writer.duplicatesSkipped
                try Self.applyOOMKills(db)
            }
        } catch is AlreadyImported {
            return (.alreadyImported, 0, 0)
        }
        return (.added, superseded, duplicates)
    }

    /// The SQL of the start index when an import of `expectedRuns` is larger than the table: then building
    /// the index once, sorted, after the inserts is cheaper than updating it per row (and makes it denser).
    static func startIndexToRebuild(_ db: Database, expectedRuns: Int) throws -> String? {
        let stored = try Int.fetchOne(db, sql: "SELECT ifnull(max(id) - min(id) + 1, 0) FROM job_run") ?? 0
        guard expectedRuns > stored else { return nil }
        return try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'job_run_by_start'")
    }
}

extension Store {
    /// Stores host samples of one import in one transaction. A sample for an instant the store already covers
    /// for the same host (within half a second) is skipped: an overlapping export of the same source, or
    /// another source, never counts twice.
    public func importHostSamples(_ samples: [HostSample], boots: [(t: Double, host: String)] = [], kind: ImportKind, path: String,
                                  fingerprint: String) throws
        -> (added: Int, alreadyCovered: Int, alreadyImported: Bool)
    {
        try writing { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM import_record WHERE fingerprint = ?", arguments: [fingerprint]) == true {
                return (0, 0, true)
            }
            try db.execute(sql: "INSERT INTO import_record (kind, fingerprint, path, imported_at) VALUES (?, ?, ?, ?)",
                           arguments: [kind.rawValue, fingerprint, path, Date().timeIntervalSince1970])
            let importId = db.lastInsertedRowID
            let covered = try db.makeStatement(sql: "SELECT 1 FROM host_sample WHERE host = ? AND t BETWEEN ? AND ? LIMIT 1")
            var added = 0
            var skipped = 0
            for var sample in samples {
                if try Bool.fetchOne(covered, arguments: [sample.host, sample.t - 0.5, sample.t + 0.5]) == true {
                    skipped += 1
                    continue
                }
                sample.importId = importId
                try sample.insert(db)
                added += 1
            }
            try Self.insertBoots(db, boots, source: kind, importId: importId)
            return (added, skipped, false)
        }
    }
}

extension Store {
    /// Host samples, oldest first, optionally of one host and window.
    public func hostSamples(host: String? = nil, from: Double? = nil, to: Double? = nil) throws -> [HostSample] {
        try reading { db in
            var request = HostSample.all()
            if let host { request = request.filter(Column("host") == host) }
            if let from { request = request.filter(Column("t") >= from) }
            if let to { request = request.filter(Column("t") <= to) }
            return try request.order(Column("t"), Column("host")).fetchAll(db)
        }
    }
}

extension Store {
    /// Upserts per-class per-minute metrics; returns how many rows were new, and how many changed.
    public func importMetrics(_ rows: [ClassMinuteMetric]) throws -> (added: Int, updated: Int, unchanged: Int) {
        try writing { db in
            var added = 0, updated = 0, unchanged = 0
            for row in rows {
                let source = row.source.rawValue
                let blob: Data? = row.histogram.map { counts in
                    Data(counts.flatMap { [UInt8(truncatingIfNeeded: $0 >> 8), UInt8(truncatingIfNeeded: $0)] })
                }
                let existing = try Row.fetchOne(db,
                    sql: "SELECT processed, failed, total_ms, histogram FROM class_minute_metric WHERE class = ? AND minute = ?",
                                                arguments: [row.jobClass, row.minute])
                if let existing {
                    if existing["processed"] == row.processed && existing["failed"] == row.failed && existing["total_ms"] == row.totalMs
                        && (existing["histogram"] as Data?) == blob
                    {
                        unchanged += 1
                        continue
                    }
                    updated += 1
                } else {
                    added += 1
                }
                try db.execute(sql: """
                    INSERT INTO class_minute_metric (minute, class, processed, failed, total_ms, histogram, source) VALUES (?, ?, ?,\
                     ?, ?, ?, ?)
                    ON CONFLICT (class, minute) DO UPDATE SET processed = excluded.processed, failed = excluded.failed,
                        total_ms = excluded.total_ms, histogram = excluded.histogram, source = excluded.source
                    """, arguments: [row.minute, row.jobClass, row.processed, row.failed, row.totalMs, blob, source])
            }
            return (added, updated, unchanged)
        }
    }

    /// Stored per-class per-minute metrics, oldest first.
    public func classMinuteMetrics(jobClass: String? = nil) throws -> [ClassMinuteMetric] {
        try reading { db in
            var sql = "SELECT minute, class, processed, failed, total_ms, histogram, source FROM class_minute_metric"
            var arguments: StatementArguments = []
            if let jobClass { sql += " WHERE class = ?"; arguments = [jobClass] }
            return try Row.fetchAll(db, sql: sql + " ORDER BY minute, class", arguments: arguments).map { row in
                let blob: Data? = row["histogram"]
                return ClassMinuteMetric(
                    minute: row["minute"], seconds: (ClassMinuteMetric.Source(rawValue: row["source"]) ?? .minute).seconds,
                    jobClass: row["class"],
                    processed: row["processed"], failed: row["failed"], totalMs: row["total_ms"],
                    histogram: blob.map { SidekiqMetricKey.histogramCounts([UInt8]($0)) })
            }
        }
    }
}
