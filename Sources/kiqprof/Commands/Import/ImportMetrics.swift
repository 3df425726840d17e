import ArgumentParser
import KiqprofCore

extension KiqprofCommand {
    struct ImportMetrics: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "metrics",
            abstract: "Import Sidekiq 7.x/8.x execution metrics (per class, per minute, with histograms) from Redis.",
            discussion: """
              Reads the `j|…` hashes the Web UI's Metrics tab shows (8 h of one-minute data, 3 days of 8.x's \
              ten-minute rollups) and each class's duration histogram, with bounded SCAN (never KEYS). \
              Importing again updates the minutes that grew and adds nothing else. Read-only on Redis.

              Examples:
                kiqprof import metrics --env-file /home/mastodon/live/.env.production
                kiqprof import metrics --redis redis://127.0.0.1:6379/0 --db /var/lib/kiqprof/kiqprof.sqlite
              """)

        @OptionGroup var connection: RedisOptions
        @OptionGroup var store: StoreOptions

        @Flag(help: "Print the summary as JSON.")
        var json = false

        func run() throws {
            let target = try connection.target()
            let (rows, hashes) = try MetricsImporter(keyspace: target.keyspace).read(connection: try target.open())
            let result = try store.open().importMetrics(rows)
            var summary = ImportSummary(source: target.endpoint.description, kind: .metrics)
            summary.lines = hashes
            summary.samplesAdded = result.added + result.updated
            summary.duplicatesSkipped = result.unchanged
            if json {
                print(ImportSummaryRenderer.json(summary).serialized(), terminator: "")
            } else {
                print("\(summary.source): \(hashes) metric hashes, \(rows.count) class-minutes: \(result.added) added, "
                      + "\(result.updated) updated, \(result.unchanged) unchanged")
                if hashes == 0 {
                    print("No `j|…` metrics hashes: Sidekiq 6.x keeps none (6.5 only with SIDEKIQ_METRICS_BETA), "
                          + "or --namespace/--redis point elsewhere.")
                }
            }
        }
    }
}
