import Foundation

/// `kiqprof import sar|cloudwatch|prometheus|csv`: host samples from what users already have. A document
/// is read whole and refused if broken; its samples land in one transaction, once.
public struct HostSampleImporter {
    public enum Format: String, Sendable, CaseIterable {
        case sar, cloudwatch, prometheus, csv

        public var importKind: ImportKind {
            switch self {
            case .sar: return .sar
            case .cloudwatch: return .cloudwatch
            case .prometheus: return .prometheus
            case .csv: return .csv
            }
        }
    }

    public var format: Format
    public var host: String?
    public var dryRun = false
    /// Seconds east of UTC for sar files written in local time (`sadf -t/-T`); default this machine's zone.
    public var localOffset: Int?

    public init(format: Format, host: String?) {
        self.format = format
        self.host = host
    }

    public func run(path: String, store: Store?) throws -> ImportSummary {
        var bytes: [UInt8] = []
        let name = path == "-" ? "stdin" : path
        if format == .sar, path != "-", let head = FileReader.readAll(path)?.prefix(1), head.first != UInt8(ascii: "{") {
            bytes = try Self.sadfJSON(binary: path)
        } else {
            let reader = try LineReader(path: path)
            try reader.forEachLine(chunk: { bytes.append(contentsOf: $0) }) { _, _ in }
        }
        var summary = ImportSummary(source: name, kind: format.importKind)
        summary.bytes = bytes.count
        summary.dryRun = dryRun || store == nil
        let fallbackHost = host ?? ProcHostSampler.hostName()
        var samples: [HostSample]
        var boots: [(t: Double, host: String)] = []
        switch format {
        case .sar:
            samples = try SarDocument.samples(bytes, name: name, host: host, localOffset: localOffset)
            boots = try SarDocument.restarts(bytes, name: name, host: host, localOffset: localOffset)
        case .cloudwatch:
            let parsed = try CloudWatchDocument.samples(bytes, name: name, host: fallbackHost)
            samples = parsed.samples
            for metric in parsed.unknownMetrics { summary.notUnderstood(line: 0, reason: "metric '\(metric)' is not one kiqprof uses") }
        case .prometheus:
            let parsed = try PrometheusDocument.samples(bytes, name: name, host: host)
            samples = parsed.samples
            for metric in parsed.unknownMetrics { summary.notUnderstood(line: 0, reason: "metric '\(metric)' is not one kiqprof uses") }
        case .csv:
            var skipped: [(Int, String)] = []
            samples = HostMetricsCSV.samples(String(decoding: bytes, as: UTF8.self), host: fallbackHost,
                now: MonotonicClock.now()) { skipped.append(($0, $1)) }
            for (line, reason) in skipped { summary.notUnderstood(line: line, reason: reason) }
        }
        summary.lines = samples.count
        guard let store, !dryRun else {
            summary.samplesAdded = samples.count
            return summary
        }
        var fingerprint = ContentFingerprint()
        bytes.withUnsafeBytes { fingerprint.update($0) }
        summary.boots = boots.count
        let outcome = try store.importHostSamples(samples, boots: boots, kind: format.importKind, path: name,
            fingerprint: fingerprint.value(kind: format.importKind,
                options: ["host=\(host ?? "")", "tz=\(localOffset.map(String.init) ?? "")"]))
        if outcome.alreadyImported {
            summary.alreadyImported = true
            summary.duplicatesSkipped = samples.count
        } else {
            summary.samplesAdded = outcome.added
            summary.duplicatesSkipped = outcome.alreadyCovered
        }
        return summary
    }

    /// Runs sysstat's `sadf -j` on a binary sa file.
    static func sadfJSON(binary path: String) throws -> [UInt8] {
        guard let sadf = ["/usr/bin/sadf", "/usr/local/bin/sadf"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw KiqprofError.unreadableFile(path: path,
                reason: "a binary sa file needs sysstat's sadf (apt-get install sysstat), or pass `sadf -j FILE -- -u -r -q` output")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: sadf)
        process.arguments = ["-j", path, "--", "-u", "-r", "-S", "-q"]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingWhitespace()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw KiqprofError.unreadableFile(path: path,
                reason: "sadf -j failed: \(message.isEmpty ? "exit \(process.terminationStatus)" : message)")
        }
        return [UInt8](data)
    }
}
