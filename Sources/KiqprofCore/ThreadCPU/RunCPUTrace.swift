import Foundation

/// What `RunCPUMeter` was fed, one JSON line per call (`record --thread-trace FILE`): a recording's thread
/// readings and runs, to replay the meter on real data (a bug report, a test fixture) without Sidekiq.
public struct RunCPUTrace: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case threads, running, ended, release
    }

    /// A run as the meter sees it.
    public struct Run: Sendable, Codable, Equatable {
        public var identity: String?, tid: String?, jid: String?, jobClass: String, host: String?
        public var start: Double, endMin: Double?, endMax: Double?, outcome: String

        public init(_ run: JobRun) {
            identity = run.identity
            tid = run.tid
            jid = run.jid
            jobClass = run.jobClass
            host = run.host
            start = run.start
            endMin = run.end.earliest
            endMax = run.end.latest
            outcome = run.outcome.rawValue
        }

        public var jobRun: JobRun {
            JobRun(jid: jid, jobClass: jobClass, queue: nil, identity: identity, host: host, pid: nil, tid: tid, start: start,
                   end: RunEnd(earliest: endMin, latest: endMax), outcome: RunOutcome(rawValue: outcome) ?? .unknown, source: .poll)
        }
    }

    public var kind: Kind
    public var t: Double
    public var identity: String?
    public var concurrency: Int?
    public var threads: [ThreadCPUReading]?
    public var runs: [Run]?
    public var everything: Bool?

    public init(kind: Kind, t: Double) {
        self.kind = kind
        self.t = t
    }

    /// Feeds `lines` to a fresh meter as the recorder fed the one that wrote them; returns what it released.
    public static func replay(_ lines: [RunCPUTrace], localHost: String) -> [JobRun] {
        var meter = RunCPUMeter(localHost: localHost)
        var released: [JobRun] = []
        for line in lines {
            switch line.kind {
            case .threads:
                _ = meter.observe(identity: line.identity ?? "", concurrency: line.concurrency, at: line.t, threads: line.threads)
            case .running:
                meter.observeRunning((line.runs ?? []).map(\.jobRun))
            case .ended:
                for run in line.runs ?? [] { meter.end(run.jobRun) }
            case .release:
                released += meter.release(at: line.t, everything: line.everything ?? false)
            }
        }
        return released
    }

    /// Parses a trace file's lines; a bad line fails naming its number.
    public static func read(_ text: String, file: String) throws -> [RunCPUTrace] {
        let decoder = JSONDecoder()
        return try text.split(separator: "\n").enumerated().map { number, line in
            do {
                return try decoder.decode(RunCPUTrace.self, from: Data(line.utf8))
            } catch {
                throw KiqprofError.invalidData(location: "\(file):\(number + 1)", reason: "expected a thread-trace line (JSON): \(error)")
            }
        }
    }
}
