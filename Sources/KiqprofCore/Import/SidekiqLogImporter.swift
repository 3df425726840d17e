import Foundation

/// `kiqprof import sidekiq-log`: reads a Sidekiq log (file or stdin, any format `SidekiqLogParser` knows),
/// pairs its job lines into runs and stores them in one transaction. Lines that are not Sidekiq's are
/// skipped and counted; binary data refuses the whole import.
///
/// `SidekiqLogScanner` reads and parses on threads of its own; runs are paired and stored meanwhile.
public struct SidekiqLogImporter {
    public var host: String?
    public var dryRun = false
    /// Year and zone for journald times that lack them (only used for Sidekiq lines without their own time).
    public var clock: SidekiqLogParser.Clock?
    /// Only lines of this form count; nil detects each line's form.
    public var format: SidekiqLogFormat?
    /// The blocks a dry run parses a file in, two threads at once (tests make them small).
    var blockSize = SidekiqLogScanner.blockSize

    public init(host: String?) {
        self.host = host
    }

    /// The settings that change what the log's bytes mean, for the fingerprint.
    var fingerprintOptions: [String] {
        ["host=\(host ?? "")", "year=\(clock.map { String($0.year) } ?? "")", "tz=\(clock.map { String($0.utcOffset) } ?? "")",
         "format=\(format?.rawValue ?? "")"]
    }

    /// Runs paired from the scanner's records, in log order, with the names first seen in them.
    struct RunBatch: Sendable {
        var runs: [LogRun]
        var newNames: [String]
        var bytesRead: Int
        /// Runs still open at the end of the log (set on the last batch).
        var openRuns = 0
    }

    private struct Stop: Error {}

    /// Imports `path` (`-` for stdin) into `store` (nil with `dryRun`). `progress` gets (bytes read, total).
    public func run(path: String, store: Store?, progress: (Int, Int?) -> Void = { _, _ in }) throws -> ImportSummary {
        let reader = try LineReader(path: path)
        let total = reader.totalBytes
        let storing = store != nil && !dryRun
        let scanner = SidekiqLogScanner(reader: reader, clock: clock, format: format, fingerprint: storing, blockSize: blockSize)
        scanner.start()

        var added = 0
        var openRuns = 0
        func count(_ batch: RunBatch) {
            added += batch.runs.count
            openRuns += batch.openRuns
            progress(batch.bytesRead, total)
        }
        var outcome: (result: Store.ImportResult, superseded: Int, duplicatesSkipped: Int)?
        if let store, storing {
            // SQLite is the slowest stage: pairing runs on a thread of its own, so this one only stores.
            let paired = LogBatchChannel<RunBatch>(capacity: 4)
            Thread {
                do {
                    try Self.pair(scanner) { guard paired.put($0) else { throw Stop() } }
                    paired.finish(nil)
                } catch {
                    scanner.cancel()
                    paired.finish(error is Stop ? nil : error)
                }
            }.start()
            do {
                // About 280 bytes of text log make a run (its start and end lines).
                outcome = try store.performImport(kind: .sidekiqLog, path: reader.name, expectedRuns: total.map { $0 / 280 }) { writer in
                    var names: [String] = []
                    while let batch = try paired.take() {
                        names += batch.newNames
                        try writer.insert(batch.runs, names: names, defaultHost: host)
                        count(batch)
                    }
                    return scanner.fingerprint.value(kind: .sidekiqLog, options: fingerprintOptions)
                }
            } catch {
                paired.cancel()
                throw error
            }
        } else {
            do {
                try Self.pair(scanner, count)
            } catch {
                scanner.cancel()
                throw error
            }
        }

        var summary = scanner.summary
        summary.dryRun = !storing
        summary.openRuns = openRuns
        if let outcome, outcome.result == .alreadyImported {
            summary.alreadyImported = true
            summary.duplicatesSkipped = added
        } else {
            summary.duplicatesSkipped = outcome?.duplicatesSkipped ?? 0
            summary.runsAdded = added - summary.duplicatesSkipped
            summary.supersededPolledRuns = outcome?.superseded ?? 0
        }
        return summary
    }

    /// Pairs the scanner's records into runs, in batches; the last one also holds the runs left open.
    static func pair(_ scanner: SidekiqLogScanner, _ emit: (RunBatch) throws -> Void) throws {
        var assembler = LogRunAssembler()
        var names: [String] = []
        var bytesRead = 0
        while let batch = try scanner.next() {
            names += batch.newNames
            bytesRead = batch.bytesRead
            for record in batch.records { assembler.consume(record) }
            try emit(RunBatch(runs: assembler.takeCompleted(), newNames: batch.newNames, bytesRead: bytesRead))
        }
        let rest = assembler.finish(names: names)
        var last = RunBatch(runs: rest, newNames: [], bytesRead: bytesRead)
        last.openRuns = rest.filter { $0.outcome == .running || $0.outcome == .lost }.count
        try emit(last)
    }
}
