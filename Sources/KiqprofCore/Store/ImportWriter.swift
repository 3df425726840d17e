import GRDB

/// Writes one import inside a single transaction; `ImportWriter` is what the importer sees of it.
public final class ImportWriter {
    let db: Database
    let importId: Int64
    private let inserter: JobRunInserter
    /// Polled runs by jid (few; the recorder's), so each log run can supersede its polled twin in memory.
    private let polledStarts: [String: [(id: Int64, start: Double)]]
    /// Polled runs a log run of this import supersedes.
    private(set) var superseded: [Int64] = []
    /// Open log runs of an earlier import that this one saw end: replaced by this import's rows.
    private(set) var completed: [Int64] = []
    /// Log runs already stored by an earlier, overlapping import (the same jid started within 1 s): skipped.
    private(set) var duplicatesSkipped = 0
    /// Where earlier imports' log runs lie, and the lookup of one by start and jid; nil when there are none,
    /// so an import into a store without log runs pays nothing for the check.
    private let storedLogRuns: (span: ClosedRange<Double>, lookup: SQLiteStatement)?

    /// Whether earlier imports' log runs are checked (then `performImport` keeps the start index the check needs).
    var checksStoredLogRuns: Bool { storedLogRuns != nil }

    init(db: Database, importId: Int64) throws {
        self.db = db
        self.importId = importId
        var polled: [String: [(id: Int64, start: Double)]] = [:]
        for row in try Row.fetchAll(db,
            sql: "SELECT id, jid, start FROM job_run WHERE source = '\(RunSource.poll.rawValue)' AND jid IS NOT NULL") {
            polled[row["jid"], default: []].append((row["id"], row["start"]))
        }
        polledStarts = polled
        inserter = try JobRunInserter(db: db)
        let logSource = RunSource.log.rawValue
        // Through the start index, in order: the first and last log runs are found without a scan.
        if let first = try Double.fetchOne(db, sql: "SELECT start FROM job_run WHERE source = '\(logSource)' ORDER BY start LIMIT 1"),
           let last = try Double.fetchOne(db,
               sql: "SELECT start FROM job_run WHERE source = '\(logSource)' ORDER BY start DESC LIMIT 1") {
            let unfinished = "outcome IN ('\(RunOutcome.running.rawValue)', '\(RunOutcome.lost.rawValue)')"
            storedLogRuns = (first - 1...last + 1, SQLiteStatement(try db.makeStatement(sql: """
                SELECT id, \(unfinished) FROM job_run INDEXED BY job_run_by_start
                WHERE start BETWEEN ?1 - 1 AND ?1 + 1 AND jid = ?2 AND source = '\(logSource)' AND import_id != ?3 LIMIT 1
                """)))
            storedLogRuns?.lookup.bind(3, importId)
        } else {
            storedLogRuns = nil
        }
    }

    /// Stores log runs whose names are indexes into `names`; `defaultHost` applies where a line named none.
    func insert(_ runs: [LogRun], names: [String], defaultHost: String?) throws {
        for r in runs {
            if !polledStarts.isEmpty, let twins = polledStarts[r.jid.string(names: names)] {
                // Its times are exact: a log run replaces the polled run of the same jid started within 2 s.
                superseded += twins.filter { abs($0.start - r.start) <= 2 }.map(\.id)
            }
            if let stored = storedLogRuns, stored.span.contains(r.start), let twin = try storedTwin(of: r, names: names, stored.lookup) {
                // The same run from an overlapping import: kept once. An earlier import whose log stopped
                // while it ran (left running or lost) gives way to this one, which saw it end.
                guard twin.unfinished && r.outcome != .running && r.outcome != .lost else {
                    duplicatesSkipped += 1
                    continue
                }
                completed.append(twin.id)
            }
            try inserter.insert(r, names: names, defaultHost: defaultHost, importId: importId)
        }
    }

    private func storedTwin(of run: LogRun, names: [String], _ lookup: SQLiteStatement) throws -> (id: Int64, unfinished: Bool)? {
        lookup.bind(1, run.start)
        run.jid.withBytes(names: names) { lookup.bind(2, $0) }
        defer { lookup.reset() }
        guard try lookup.nextRow() else { return nil }
        return (lookup.integer(0), lookup.integer(1) != 0)
    }
}

@available(*, unavailable)
extension ImportWriter: Sendable {}
