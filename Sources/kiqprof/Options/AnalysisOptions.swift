import ArgumentParser
import Foundation
import KiqprofCore

/// The store, the window and the rules shared by `incident`, `recommend` and `report`, handed to
/// `AnalysisSession` so all three load and analyse the window the same way.
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

    /// Opens the store, resolves the window (everything in the store when none is given), loads and analyses it.
    /// - Parameter sinceLastReport: start where the store's previous report ended (`report --since-last`).
    func load(thresholds: OutageThresholds = OutageThresholds(), sinceLastReport: Bool = false) throws -> AnalysisSession.Loaded {
        let database = try store.openExisting()
        let requested = try window.resolve()
        var session = AnalysisSession(store: database, from: requested.from, to: requested.to)
        session.sinceLastReport = sinceLastReport
        session.thresholds = thresholds
        session.ruleBook = try ruleBook()
        session.redis = connection.isGiven ? try connection.target() : nil
        do {
            return try session.load()
        } catch let failure as AnalysisSession.Failure {
            throw ValidationError(failure.description)
        }
    }

    var version: AppVersion? { appVersion.flatMap(AppVersion.init) }
}
