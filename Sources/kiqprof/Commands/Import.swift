import ArgumentParser
import KiqprofCore

extension KiqprofCommand {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import evidence you already have: Sidekiq logs (files, journald), and more to come.",
            discussion: """
                Each import is one transaction: it all lands, or nothing does. Importing the same content twice \
                adds nothing. Runs from a log supersede polled runs of the same jid (their times are exact).
              """,
            subcommands: [SidekiqLog.self])
    }

    struct SidekiqLog: ParsableCommand {
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

        @Option(help: ArgumentHelp("Host the runs ran on, where the log does not say (journald does). Default: this machine.", valueName: "name"))
        var host: String?

        @Flag(name: .customLong("dry-run"), help: "Parse and pair only; write nothing.")
        var dryRun = false

        @Flag(help: "Print the summary as JSON.")
        var json = false

        func run() throws {
            var importer = SidekiqLogImporter(host: host ?? ProcHostSampler.hostName())
            importer.dryRun = dryRun
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
