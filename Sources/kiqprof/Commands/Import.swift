import ArgumentParser
import KiqprofCore

extension KiqprofCommand {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import evidence you already have: Sidekiq logs (files, journald) and host metrics (sar, CloudWatch, Prometheus, CSV).",
            discussion: """
              Each import is one transaction: it all lands, or nothing does. Importing the same content twice \
              adds nothing. Runs from a log supersede polled runs of the same jid (their times are exact).
              """,
            subcommands: [SidekiqLog.self, Metrics.self, HostSamples<SarFormat>.self, HostSamples<CloudWatchFormat>.self,
                          HostSamples<PrometheusFormat>.self, HostSamples<CSVFormat>.self])
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

        @Option(help: ArgumentHelp(
            "The log's form: auto (each line detected), text, json, journald (journalctl short formats) or journald-json.",
            valueName: "format"))
        var format: String = "auto"

        @Option(help: ArgumentHelp("Year of journald `-o short` times, which have none (default: this year).", valueName: "year"))
        var year: Int?

        @Option(help: ArgumentHelp("Zone of journald times without an offset: UTC, +01:00, -0500 or a name like Europe/Berlin (default: this machine's).", valueName: "zone"))
        var tz: String?

        @Flag(name: .customLong("dry-run"), help: "Parse and pair only; write nothing.")
        var dryRun = false

        @Flag(help: "Print the summary as JSON.")
        var json = false

        func validate() throws {
            if format != "auto" && SidekiqLogFormat(rawValue: format) == nil {
                throw ValidationError("--format '\(format)' is not auto, text, json, journald or journald-json")
            }
            if let tz, ZoneOffset.parse(tz) == nil { throw ValidationError("--tz '\(tz)' is not UTC, an offset like +01:00, or a zone name") }
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

/// The per-format texts of the host-sample imports, which otherwise share one command.
protocol HostSampleFormat {
    static var format: HostSampleImporter.Format { get }
    static var abstract: String { get }
    static var examples: String { get }
}

enum SarFormat: HostSampleFormat {
    static let format = HostSampleImporter.Format.sar
    static let abstract = "Import host samples from sysstat: `sadf -j` output, or a binary sa file (runs sadf)."
    static let examples = """
          kiqprof import sar /var/log/sysstat/sa26
          sadf -j /var/log/sysstat/sa26 -- -u -r -S -q | kiqprof import sar -
        """
}

enum CloudWatchFormat: HostSampleFormat {
    static let format = HostSampleImporter.Format.cloudwatch
    static let abstract = "Import host samples from `aws cloudwatch get-metric-data` or `get-metric-statistics` JSON."
    static let examples = """
          aws cloudwatch get-metric-statistics --namespace AWS/EC2 --metric-name CPUUtilization \\
            --dimensions Name=InstanceId,Value=i-0abc --start-time 2026-11-24T13:00Z --end-time 2026-11-24T16:00Z \\
            --period 60 --statistics Average > cpu.json
          kiqprof import cloudwatch cpu.json --host mastodon-vm
        Metrics used: CPUUtilization, CPUCreditBalance, mem_used_percent, cpu_usage_* (CloudWatch agent).
        """
}

enum PrometheusFormat: HostSampleFormat {
    static let format = HostSampleImporter.Format.prometheus
    static let abstract = "Import host samples from a Prometheus range query of node_exporter metrics."
    static let examples = """
          curl -s 'http://prom:9090/api/v1/query_range?query=node_cpu_seconds_total{instance="vm:9100"}&start=…&end=…&step=15s' > cpu.json
          kiqprof import prometheus cpu.json
        Metrics used: node_cpu_seconds_total, node_memory_{MemTotal,MemAvailable,SwapTotal,SwapFree}_bytes,
        node_load1/5/15, node_pressure_{cpu_waiting,memory_waiting,memory_stalled,io_waiting,io_stalled}_seconds_total.
        """
}

enum CSVFormat: HostSampleFormat {
    static let format = HostSampleImporter.Format.csv
    static let abstract = "Import host samples from a CSV of timestamp,metric,value[,host]."
    static let examples = """
          printf 'timestamp,metric,value\\n2026-11-24T14:10:00Z,cpu_busy_pct,97\\n' | kiqprof import csv -
        Metrics: cpu_busy_pct, cpu_user_pct, cpu_system_pct, cpu_iowait_pct, cpu_steal_pct, cpu_idle_pct, mem_used_pct,
        mem_total_kib, mem_available_kib, swap_total_kib, swap_free_kib, load1, load5, load15, psi_cpu_some_avg10,
        psi_memory_some_avg10, psi_memory_full_avg10, psi_io_some_avg10, psi_io_full_avg10, cpu_credit_balance.
        """
}

extension KiqprofCommand {
    struct HostSamples<Format: HostSampleFormat>: ParsableCommand {
        static var configuration: CommandConfiguration {
            CommandConfiguration(
                commandName: Format.format.rawValue, abstract: Format.abstract,
                discussion: "A broken document (e.g. a cut-off JSON export) is refused and writes nothing. "
                    + "Samples of an instant another source already covers for the host are skipped.\n\nExamples:\n" + Format.examples)
        }

        @Argument(help: ArgumentHelp("The export, or - for stdin.", valueName: "file"))
        var file: String

        @OptionGroup var store: StoreOptions

        @Option(help: ArgumentHelp("Host the samples describe, where the data does not say. Default: this machine.", valueName: "name"))
        var host: String?

        @Flag(name: .customLong("dry-run"), help: "Parse only; write nothing.")
        var dryRun = false

        @Flag(help: "Print the summary as JSON.")
        var json = false

        func run() throws {
            var importer = HostSampleImporter(format: Format.format, host: host)
            importer.dryRun = dryRun
            let summary = try importer.run(path: file, store: dryRun ? nil : try store.open())
            print(json ? ImportSummaryRenderer.json(summary).serialized() : ImportSummaryRenderer.text(summary), terminator: "")
        }
    }
}

extension KiqprofCommand {
    struct Metrics: ParsableCommand {
        static let configuration = CommandConfiguration(
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
            var summary = ImportSummary(source: target.endpoint.description, kind: "metrics")
            summary.lines = hashes
            summary.samplesAdded = result.added + result.updated
            summary.duplicatesSkipped = result.unchanged
            if json {
                print(ImportSummaryRenderer.json(summary).serialized(), terminator: "")
            } else {
                print("\(summary.source): \(hashes) metric hashes, \(rows.count) class-minutes: \(result.added) added, "
                      + "\(result.updated) updated, \(result.unchanged) unchanged")
                if hashes == 0 { print("No `j|…` metrics hashes: Sidekiq 6.x keeps none (6.5 only with SIDEKIQ_METRICS_BETA), or --namespace/--redis point elsewhere.") }
            }
        }
    }
}
