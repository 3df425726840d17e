/// `kiqprof import sidekiq-log`: reads a Sidekiq log (file or stdin, any format `SidekiqLogParser` knows),
/// pairs its job lines into runs and stores them in one transaction. Lines that are not Sidekiq's are
/// skipped and counted; binary data refuses the whole import.
///
/// `SidekiqLogScanner` reads and parses on threads of its own while this thread pairs records and stores runs.
public struct SidekiqLogImporter {
    public var host: String?
    public var dryRun = false
    /// Year and zone for journald times that lack them (only used for Sidekiq lines without their own time).
    public var clock: SidekiqLogParser.Clock?
    /// Only lines of this form count; nil detects each line's form.
    public var format: SidekiqLogFormat?

    public init(host: String?) {
        self.host = host
    }

    /// Imports `path` (`-` for stdin) into `store` (nil with `dryRun`). `progress` gets (bytes read, total).
    public func run(path: String, store: Store?, progress: (Int, Int?) -> Void = { _, _ in }) throws -> ImportSummary {
        let reader = try LineReader(path: path)
        let total = reader.totalBytes
        let storing = store != nil && !dryRun
        let scanner = SidekiqLogScanner(reader: reader, clock: clock, format: format, fingerprint: storing)
        scanner.start()

        var assembler = LogRunAssembler()
        var names: [String] = []
        var added = 0
        var openRuns = 0
        func assembleAll(_ flush: ([LogRun], [String]) throws -> Void) throws {
            while let batch = try scanner.next() {
                names += batch.newNames
                for record in batch.records { assembler.consume(record) }
                let runs = assembler.takeCompleted()
                added += runs.count
                try flush(runs, names)
                progress(batch.bytesRead, total)
            }
            let rest = assembler.finish(names: names)
            openRuns = rest.filter { $0.outcome == .running || $0.outcome == .lost }.count
            added += rest.count
            try flush(rest, names)
        }

        var outcome: (result: Store.ImportResult, superseded: Int)?
        do {
            if let store, storing {
                outcome = try store.performImport(kind: "sidekiq-log", path: reader.name) { writer in
                    try assembleAll { runs, names in try writer.insert(runs, names: names, defaultHost: host) }
                    return scanner.fingerprint.value(kind: "sidekiq-log")
                }
            } else {
                try assembleAll { _, _ in }
            }
        } catch {
            scanner.cancel()
            throw error
        }

        var summary = scanner.summary
        summary.dryRun = !storing
        summary.openRuns = openRuns
        if let outcome, outcome.result == .alreadyImported {
            summary.alreadyImported = true
            summary.duplicatesSkipped = added
        } else {
            summary.runsAdded = added
            summary.supersededPolledRuns = outcome?.superseded ?? 0
        }
        return summary
    }
}
