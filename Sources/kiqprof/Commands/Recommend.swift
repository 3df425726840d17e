import ArgumentParser
import Foundation
import KiqprofCore

extension KiqprofCommand {
    struct Recommend: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The switches that tame the current suspects: exact steps, side effects, and the evidence for each.",
            discussion: """
              Ranks suspects as `incident` does, then matches each against the app's rules (Mastodon's are built in; \
              --rules FILE adds or overrides them) and the generic rules from measurement: disable the schedule, \
              add a uniqueness lock when runs overlap, move a heavy class to its own queue, run it less often or \
              off-peak, lower concurrency when Sidekiq's memory approaches the host's. A disable step names the \
              scheduler that really holds the schedule, as found in Redis (with --redis or --env-file) or the store. \
              It says so when nothing stands out. Nothing is changed: use `kiqprof toggle … --apply` for that.

              Examples:
                kiqprof recommend --last 24h
                kiqprof recommend --at "2026-11-24 14:30" --window 30m --app-version 4.2.0
                kiqprof recommend --env-file /home/mastodon/live/.env.production --json
              """)

        @OptionGroup var options: AnalysisOptions

        @Flag(help: "Print JSON on stdout (schema in the README), nothing else.")
        var json = false

        func run() throws {
            let loaded = try options.load()
            let schedules = loaded.dataset.schedules
            let recommender = Recommender(rules: loaded.ruleBook, appVersion: options.version, schedules: schedules)
            let result = recommender.recommend(
                loaded.analysis, processes: .measure(loaded.dataset, from: loaded.from, to: loaded.to))
            if json {
                print(RecommendationRenderer.json(result, appVersion: options.appVersion).serialized(), terminator: "")
            } else {
                print(RecommendationRenderer.text(result), terminator: "")
            }
        }
    }
}
