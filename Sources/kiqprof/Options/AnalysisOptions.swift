import ArgumentParser
import Foundation
import KiqprofCore

/// The store, the window and the rules shared by `incident`, `recommend` and `report`: one place that
/// loads the window's data and analyses it the same way for all three.
struct AnalysisOptions: ParsableArguments {
    @OptionGroup var store: StoreOptions
    @OptionGroup var window: WindowOptions
    /// Redis, when given, supplies the schedule definitions: it usually still holds them after an outage.
    @OptionGroup(title: "Schedules from Redis (optional; otherwise the store's copies)") var connection: RedisOptions

    @Option(help: ArgumentHelp("Add or override rules with a JSON rules file (format: rules/mastodon.json).", valueName: "path"))
    var rules: String?

    @Option(name: .customLong("app-version"), help: ArgumentHelp(
        "The app's version (e.g. Mastodon 4.2.0), for upgrade advice; unknown when absent.", valueName: "version"))
    var appVersion: String?

    func validate() throws {
        if let appVersion, AppVersion(appVersion) == nil {
            throw ValidationError("--app-version '\(appVersion)': expected a version like 4.2.1 or v4.3.0")
        }
    }

    func ruleBook() throws -> RuleBook {
        guard let rules else { return .bundled }
        return RuleBook.bundled.merged(with: try RuleBook.load(path: rules))
    }

    struct Loaded {
        var store: Store
        var dataset: IncidentDataset
        var analysis: IncidentAnalysis
        var ruleBook: RuleBook
        var from: Double
        var to: Double
    }

    /// Opens the store, resolves the window (everything in the store when none is given), loads and analyses it.
    /// - Parameter sinceLastReport: start where the store's previous report ended (`report --since-last`).
    func load(thresholds: OutageThresholds = OutageThresholds(), sinceLastReport: Bool = false) throws -> Loaded {
        let database = try store.openExisting()
        let override = sinceLastReport ? try database.lastReportEnd() : nil
        let requested = try window.resolve()
        let span = try database.dataSpan()
        guard let from = override ?? requested.from ?? span?.from, let to = requested.to ?? span?.to else {
            throw KiqprofError.invalidArgument("the store \(store.path) holds no runs or samples: record with `kiqprof record` or import a log and host metrics first")
        }
        guard to >= from else { throw ValidationError("the window ends before it starts") }
        let book = try ruleBook()
        var dataset = try database.incidentDataset(from: from, to: to)
        if connection.isGiven {
            dataset.preferSchedules(try liveSchedules())
        }
        var contexts: [String: String] = [:]
        for rule in book.rules { if let jobClass = rule.jobClass, let context = rule.context { contexts[jobClass] = context } }
        let analysis = IncidentAnalyzer(thresholds: thresholds, contexts: contexts).analyze(dataset, from: from, to: to)
        return Loaded(store: database, dataset: dataset, analysis: analysis, ruleBook: book, from: from, to: to)
    }

    var version: AppVersion? { appVersion.flatMap(AppVersion.init) }

    /// The schedules as Redis holds them now: which scheduler, which key, which period.
    func liveSchedules() throws -> [IncidentDataset.Schedule] {
        try connection.target().stateReader().readStatus(now: Date().timeIntervalSince1970).schedules.map(IncidentDataset.Schedule.init)
    }
}
