#if canImport(Glibc)
import Glibc
#endif

/// `kiqprof import sidekiq-log`: reads a Sidekiq log (file or stdin, any format `SidekiqLogParser` knows),
/// pairs its job lines into runs and stores them in one transaction. Lines that are not Sidekiq's are
/// skipped and counted; binary data refuses the whole import.
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
        var summary = ImportSummary(source: reader.name, kind: "sidekiq-log")
        summary.dryRun = dryRun || store == nil
        var assembler = LogRunAssembler(defaultHost: host)
        var fingerprint = ContentFingerprint()
        var added = 0

        func parseAll(_ flush: ([JobRun]) throws -> Void) throws {
            try reader.forEachLine(chunk: { chunk in
                fingerprint.update(chunk)
                progress(reader.bytesRead, reader.totalBytes)
            }) { line, number in
                summary.lines = number
                guard !line.isEmpty else { return }
                if memchr(line.baseAddress!, 0, line.count) != nil {
                    throw KiqprofError.invalidData(
                        location: "\(reader.name):\(number) (byte \(reader.bytesRead))", reason: "binary data (a NUL byte), not a text log; nothing was imported")
                }
                guard let parsed = SidekiqLogParser.parse(line, clock: clock) else {
                    summary.notUnderstood(line: number, reason: Self.reason(line))
                    return
                }
                if let format, parsed.format != format {
                    summary.notUnderstood(line: number, reason: "a \(parsed.format.rawValue) line, not \(format.rawValue) (--format)")
                    return
                }
                assembler.consume(parsed)
                if number % 4096 == 0 {
                    let runs = assembler.takeCompleted()
                    added += runs.count
                    try flush(runs)
                }
            }
            let rest = assembler.finish()
            summary.openRuns = rest.filter { $0.outcome == .running || $0.outcome == .lost }.count
            added += rest.count
            try flush(rest)
        }

        if let store, !dryRun {
            let (result, superseded) = try store.performImport(kind: "sidekiq-log", path: reader.name) { writer in
                try parseAll { try writer.insert($0) }
                return fingerprint.value(kind: "sidekiq-log")
            }
            if result == .alreadyImported {
                summary.alreadyImported = true
                summary.duplicatesSkipped = added
            } else {
                summary.runsAdded = added
                summary.supersededPolledRuns = superseded
            }
        } else {
            try parseAll { _ in }
            summary.runsAdded = added
        }
        summary.bytes = reader.bytesRead
        return summary
    }

    /// Why a line was not understood, for the summary's examples.
    static func reason(_ line: UnsafeRawBufferPointer) -> String {
        let text = String(decoding: line.prefix(60), as: UTF8.self)
        if line.first == UInt8(ascii: "{") { return "not a Sidekiq or journald JSON entry: \(TextTable.sanitize(text, limit: 60))" }
        if line.first == 9 || line.first == 32 || line.first == UInt8(ascii: "/") { return "a backtrace or continuation line" }
        return "not a Sidekiq log line: \(TextTable.sanitize(text, limit: 60))"
    }
}
