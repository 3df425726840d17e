import ArgumentParser
import KiqprofCore

extension KiqprofCommand {
    struct Record: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record job runs, Sidekiq processes and host resources into the store, until stopped.",
            discussion: """
              Polls Sidekiq every --interval (at most two pipelined round trips) and reconstructs every job \
              run that crosses a heartbeat: its exact start (run_at) and its end bracketed between two polls. \
              Samples this host from /proc at every poll, even while Redis is unreachable, and the CPU, \
              RSS and memory cgroup (usage, limit, OOM kills) of each Sidekiq process running here. Gaps \
              (Redis down, a starved host) are recorded as evidence. SIGINT/SIGTERM flush and exit 0. Read-only on Redis.

              Examples:
                kiqprof record --db /var/lib/kiqprof/kiqprof.sqlite
                kiqprof record --duration 10m --interval 1s --env-file /home/mastodon/live/.env.production
              """)

        @OptionGroup var connection: RedisOptions
        @OptionGroup var store: StoreOptions

        @Option(help: ArgumentHelp("Time between polls (e.g. 1s, 500ms).", valueName: "duration"))
        var interval: String = "1s"

        @Option(help: ArgumentHelp("Stop after this long (e.g. 10m); default: until SIGINT/SIGTERM.", valueName: "duration"))
        var duration: String?

        @Option(help: ArgumentHelp("Keep this much history; older rows are pruned in small batches.", valueName: "duration"))
        var retain: String = "14d"

        @Option(help: ArgumentHelp("Time between writes to the store (one transaction each).", valueName: "duration"))
        var flush: String = "5s"

        func validate() throws {
            let durations = [("--interval", interval), ("--retain", retain), ("--flush", flush)]
                + (duration.map { [("--duration", $0)] } ?? [])
            for (name, value) in durations {
                do { _ = try DurationExpression.parse(value) } catch { throw ValidationError("\(name): \(error)") }
            }
            if (try? DurationExpression.parse(interval)) ?? 0 < 0.05 { throw ValidationError("--interval must be at least 50ms") }
        }

        func run() throws {
            StopSignal.install()
            let target = try connection.target()
            let database = try store.open(busyTimeout: 0.5)
            var options = Recorder.Options(endpoint: target.endpoint, keyspace: target.keyspace)
            options.cronNamespaces = target.cronNamespaces
            options.interval = try DurationExpression.parse(interval)
            options.flushInterval = try DurationExpression.parse(flush)
            options.retain = try DurationExpression.parse(retain)
            options.duration = try duration.map(DurationExpression.parse)
            options.timeout = min(target.timeout, max(0.5, options.interval * 2))
            Diagnostics.info("recording \(target.endpoint) into \(database.path) every \(interval) (Ctrl-C to stop)")
            let recorder = Recorder(options: options, store: database) { Diagnostics.info($0) }
            let summary = try recorder.run { StopSignal.isRequested }
            Diagnostics.info("stopped after \(summary.polls) polls: \(summary.runsRecorded) runs, "
                + "\(summary.hostSamples) host samples, \(summary.gaps) gaps")
            if summary.redisPolls > 0 {
                let polls = Double(summary.redisPolls)
                Diagnostics.info("per poll: \(Double(summary.roundTrips) / polls) round trips, "
                    + "\(Double(summary.commands) / polls) commands (\(summary.redisPolls) polls reached Redis)")
            }
        }
    }
}
