import ArgumentParser
import KiqprofCore

extension KiqprofCommand {
    struct Incident: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "What took the server down: outage windows, a timeline, and the job classes ranked as suspects with evidence.",
            discussion: """
              Works on whatever the store holds: runs from `record` or imported logs, host samples from `record`, \
              sar, CloudWatch, Prometheus or CSV. Outage windows are found without being told (CPU busy ≥ 90 % \
              for 60 s, MemAvailable ≤ 5 %, swapping ≥ 30 s, pressure stalls, host sampling gaps, stale \
              heartbeats, vanished processes, queue latency ≥ 60 s, a memory cgroup ≥ 95 % of its limit, OOM \
              kills, major-fault storms, reboots); each lists the signals that define it. \
              Suspects are ranked by what one run adds to host CPU and memory once the classes running beside \
              it are accounted for, raised for recurring and piling up and for running in outage windows \
              (README, "How suspects are ranked"). Without a window it analyses everything in the store. \
              Schedule definitions come from Redis when --redis or --env-file is given (Redis usually still holds \
              them after an outage), else from the store's copies; without either, periods are read from start times.

              Examples:
                kiqprof incident --at "2026-11-24 14:30" --window 30m
                kiqprof incident --last 6h --env-file /home/mastodon/live/.env.production
                kiqprof incident --from 2026-11-24T14:00Z --to 2026-11-24T15:00Z --json | jq '.suspects[0]'
              """)

        @OptionGroup var options: AnalysisOptions

        @Flag(help: "Print JSON on stdout (schema in the README), nothing else.")
        var json = false

        @Option(help: "Show at most this many suspects in the text output (JSON lists every class).")
        var limit: Int = 10

        @Option(help: ArgumentHelp("CPU busy percent that counts as saturation.", valueName: "pct"))
        var cpuThreshold: Double = OutageThresholds().cpuBusyPct

        @Option(help: ArgumentHelp("How long CPU must stay saturated.", valueName: "duration"))
        var cpuDuration: String = "60s"

        @Option(help: ArgumentHelp("MemAvailable percent of total at or below which memory counts as exhausted.", valueName: "pct"))
        var memAvailableThreshold: Double = OutageThresholds().memAvailablePct

        @Option(help: ArgumentHelp("Queue latency that counts as an outage.", valueName: "duration"))
        var latencyThreshold: String = "60s"

        func validate() throws {
            guard limit > 0 else { throw ValidationError("--limit must be positive") }
            guard (0...100).contains(cpuThreshold) else { throw ValidationError("--cpu-threshold must be a percent (0–100)") }
            guard (0...100).contains(memAvailableThreshold) else {
                throw ValidationError("--mem-available-threshold must be a percent (0–100)")
            }
            _ = try thresholds()
        }

        func thresholds() throws -> OutageThresholds {
            var thresholds = OutageThresholds()
            thresholds.cpuBusyPct = cpuThreshold
            thresholds.memAvailablePct = memAvailableThreshold
            do {
                thresholds.cpuMinimumDuration = try DurationExpression.parse(cpuDuration)
                thresholds.queueLatency = try DurationExpression.parse(latencyThreshold)
            } catch {
                throw ValidationError("\(error)")
            }
            return thresholds
        }

        func run() throws {
            let analysis = try options.load(thresholds: try thresholds()).analysis
            if json {
                print(IncidentRenderer.json(analysis).serialized(), terminator: "")
            } else {
                print(IncidentRenderer.text(analysis, limit: limit), terminator: "")
            }
        }
    }
}
