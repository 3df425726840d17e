import GRDB

/// Writes one import inside a single transaction; `ImportWriter` is what the importer sees of it.
public final class ImportWriter {
    let db: Database
    let importId: Int64
    private let runStatement: Statement

    init(db: Database, importId: Int64) throws {
        self.db = db
        self.importId = importId
        runStatement = try db.makeStatement(sql: """
            INSERT INTO job_run (jid, class, queue, identity, host, pid, tid, start, end, end_min, end_max, outcome, source, args_digest, error_class, import_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
    }

    public func insert(_ runs: [JobRun]) throws {
        for r in runs {
            try runStatement.execute(arguments: [r.jid, r.jobClass, r.queue, r.identity, r.host, r.pid, r.tid, r.start, r.end, r.endMin,
                                                 r.endMax, r.outcome.rawValue, r.source.rawValue, r.argsDigest, r.errorClass, importId])
        }
    }
}

@available(*, unavailable)
extension ImportWriter: Sendable {}
