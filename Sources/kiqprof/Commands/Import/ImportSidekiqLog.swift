import ArgumentParser
import KiqprofCore

extension KiqprofCommand {
    struct ImportSidekiqLog: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sidekiq-log",
            abstract: "Import job runs from a Sidekiq log: 6.x/7.x/8.x text, JSON, or journald (short, short-iso, json).",
            discussion: """
              Pairs start/done/fail lines by thread into runs with exact end and duration (Sidekiq's elapsed). \
              Fails at the shutdown deadline are `interrupted`; others are `failed` with their error class. \
              A start with no end is an open run. Lines that are not Sidekiq's are skipped and counted.

              Examples:
                kiqprof import sidekiq-log /var/log/sidekiq.log
                journalctl -u mastodon-sidekiq -o json | kiqprof import sidekiq-log -
                kiqprof import sidekiq-log sidekiq.log --dry-run
              """)

        @Argument(help: ArgumentHelp("The log file, or - for stdin.", valueName: "file"))
        var file: String

        @OptionGroup var store: StoreOptions

        @Option(help: ArgumentHelp(
            "Host the runs ran on, where the log does not say (journald does). Default: this machine.", valueName: "name"))
        var host: String?

        @Option(help: ArgumentHelp(
            "The log's form: auto (each line detected), text, json, journald (journalctl short formats) or journald-json.",
            valueName: "format"))
        var format: String = "auto"

        @Option(help: ArgumentHelp("Year of journald `-o short` times, which have none (default: this year).", valueName: "year"))
        var year: Int?

        @Option(help: ArgumentHelp(
            "Zone of journald times without an offset: UTC, +01:00, -0500 or a name like Europe/Berlin (default: this machine's).",
            valueName: "zone"))
        var tz: String?

        @Flag(name: .customLong("dry-run"), help: "Parse and pair only; write nothing.")
        var dryRun = false

        @Flag(help: "Print the summary as JSON.")
        var json = false

        func validate() throws {
            if format != "auto" && SidekiqLogFormat(rawValue: format) == nil {
                throw ValidationError("--format '\(format)' is not auto, text, json, journald or journald-json")
            }
            if let tz, ZoneOffset.parse(tz) == nil {
                throw ValidationError("--tz '\(tz)' is not UTC, an offset like +01:00, or a zone name")
            }
        }

        func run() throws {
            var importer = SidekiqLogImporter(host: host ?? ProcHostSampler.hostName())
            importer.dryRun = dryRun
            importer.format = SidekiqLogFormat(rawValue: format)
            let now = MonotonicClock.now()
            importer.clock = SidekiqLogParser.Clock(
                year: year ?? Int(ISOTimestamp.format(now).prefix(4))!, utcOffset: tz.flatMap(ZoneOffset.parse) ?? ZoneOffset.local)
            let database = dryRun ? nil : try store.open()
            let bar = ProgressBar(label: "import")
            let summary = try importer.run(path: file, store: database) { done, total in
                if let total, total > 4 << 20 { bar.update(done, of: total) }
            }
            bar.finish()
            print(json ? ImportSummaryRenderer.json(summary).serialized() : ImportSummaryRenderer.text(summary), terminator: "")
        }
    }
}
