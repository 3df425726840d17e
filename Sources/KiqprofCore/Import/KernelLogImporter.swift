/// `kiqprof import kernel-log`: the OOM kills (and boots) in a `dmesg`, `journalctl -k` or kern.log file, into
/// the store, once. Lines of other forms are skipped and counted; the kills are matched to Sidekiq processes
/// and their runs at analysis time, so the order of imports does not matter.
public struct KernelLogImporter {
    public var clock: KernelLogParser.Clock
    public var host: String
    public var dryRun = false

    public init(clock: KernelLogParser.Clock, host: String) {
        self.clock = clock
        self.host = host
    }

    public func run(path: String, store: Store?) throws -> ImportSummary {
        let reader = try LineReader(path: path)
        var parser = KernelLogParser(clock: clock, defaultHost: host)
        var fingerprint = ContentFingerprint()
        try reader.forEachLine(chunk: { fingerprint.update($0) }) { bytes, number in
            parser.consume(String(decoding: bytes, as: UTF8.self), number: number)
        }
        var summary = ImportSummary(source: reader.name, kind: .kernelLog)
        summary.lines = parser.lines
        summary.bytes = reader.bytesRead
        for (line, reason) in parser.examples { summary.notUnderstood(line: line, reason: reason) }
        summary.notUnderstood = parser.notUnderstood
        let boots = parser.boots.map { (t: $0, host: host) }
        guard let store, !dryRun else {
            summary.dryRun = true
            summary.oomKillsAdded = parser.kills.count
            summary.boots = boots.count
            return summary
        }
        let options = ["host=\(host)", "year=\(clock.year)", "tz=\(clock.utcOffset)", "boot=\(clock.bootTime.map { String($0) } ?? "")"]
        let outcome = try store.importKernelEvents(kills: parser.kills, boots: boots, path: reader.name,
                                                   fingerprint: fingerprint.value(kind: .kernelLog, options: options))
        summary.alreadyImported = outcome.alreadyImported
        summary.oomKillsAdded = outcome.kills
        summary.boots = outcome.boots
        summary.duplicatesSkipped = outcome.skipped
        return summary
    }
}
