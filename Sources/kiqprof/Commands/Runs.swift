import ArgumentParser
import KiqprofCore

extension KiqprofCommand {
    struct Runs: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List recorded job runs, newest first.",
            discussion: """
              Runs come from `record` (source poll: exact start, end bracketed by [end_min, end_max]), from \
              imported logs (source log: exact) or metrics.

              Examples:
                kiqprof runs --class Scheduler::Trends::RefreshScheduler --last 6h
                kiqprof runs --from 2026-11-24T14:00Z --to 2026-11-24T15:00Z --json
              """)

        @OptionGroup var store: StoreOptions
        @OptionGroup var window: WindowOptions

        @Option(name: .customLong("class"), help: ArgumentHelp("Only runs of this job class.", valueName: "class"))
        var jobClass: String?

        @Option(help: "Show at most this many runs (newest first); the JSON's total and truncated say whether there were more.")
        var limit: Int = 1000

        @Flag(help: "Print JSON on stdout.")
        var json = false

        func run() throws {
            let database = try store.openExisting()
            let range = try window.resolve()
            let runs = try database.runs(jobClass: jobClass, from: range.from, to: range.to, limit: limit)
            // Counted only when the limit cut the list, so a short listing costs one query.
            let total = runs.count < limit ? runs.count : try database.runCount(jobClass: jobClass, from: range.from, to: range.to)
            if json {
                print(RunsRenderer.json(runs, total: total).serialized(), terminator: "")
            } else {
                print(RunsRenderer.text(runs, total: total), terminator: "")
            }
        }
    }
}
