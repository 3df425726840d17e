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
    }

    /// Stores log runs whose names are indexes into `names`; `defaultHost` applies where a line named none.
    func insert(_ runs: [LogRun], names: [String], defaultHost: String?) throws {
        for r in runs {
            if !polledStarts.isEmpty, let twins = polledStarts[r.jid.string(names: names)] {
                // Its times are exact: a log run replaces the polled run of the same jid started within 2 s.
                superseded += twins.filter { abs($0.start - r.start) <= 2 }.map(\.id)
            }
            try inserter.insert(r, names: names, defaultHost: defaultHost, importId: importId)
        }
    }
}

@available(*, unavailable)
extension ImportWriter: Sendable {}
