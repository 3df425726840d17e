import Foundation

/// Loads a window of the store and analyses it: the one way `incident`, `recommend` and `report` see the data,
/// kept here so a health check or an exporter reaches the same verdict.
public struct AnalysisSession {
    public var store: Store
    /// The requested bounds; a missing one is where the store's data starts or ends.
    public var from: Double?
    public var to: Double?
    /// Start where the store's previous report ended (`report --since-last`), when there was one.
    public var sinceLastReport = false
    public var thresholds = OutageThresholds()
    public var ruleBook = RuleBook.bundled
    /// Redis, when given, supplies the schedule definitions: it usually still holds them after an outage.
    public var redis: RedisTarget?

    public init(store: Store, from: Double? = nil, to: Double? = nil) {
        self.store = store
        self.from = from
        self.to = to
    }

    public struct Loaded {
        public var store: Store
        public var dataset: IncidentDataset
        public var analysis: IncidentAnalysis
        public var ruleBook: RuleBook
        public var from: Double
        public var to: Double
    }

    /// The resolved window is empty: a usage error, which the command line reports with its usage.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case windowEndsBeforeStart

        public var description: String { "the window ends before it starts" }
    }

    /// Resolves the window (everything in the store when no bound is given), loads it and analyses it.
    public func load() throws -> Loaded {
        let override = sinceLastReport ? try store.lastReportEnd() : nil
        let span = try store.dataSpan()
        guard let from = override ?? from ?? span?.from, let to = to ?? span?.to else {
            throw KiqprofError.invalidArgument(
                "the store \(store.path) holds no runs or samples: record with `kiqprof record` or import a log and host metrics first")
        }
        guard to >= from else { throw Failure.windowEndsBeforeStart }
        var dataset = try store.incidentDataset(from: from, to: to)
        if let redis {
            dataset.preferSchedules(try Self.liveSchedules(redis))
        }
        var contexts: [String: String] = [:]
        for rule in ruleBook.rules { if let jobClass = rule.jobClass, let context = rule.context { contexts[jobClass] = context } }
        let analysis = IncidentAnalyzer(thresholds: thresholds, contexts: contexts).analyze(dataset, from: from, to: to)
        return Loaded(store: store, dataset: dataset, analysis: analysis, ruleBook: ruleBook, from: from, to: to)
    }

    /// The schedules as Redis holds them now: which scheduler, which key, which period.
    public static func liveSchedules(
        _ target: RedisTarget, now: Double = Date().timeIntervalSince1970
    ) throws -> [PeriodicSchedule] {
        try target.stateReader().readStatus(now: now).schedules
    }
}
