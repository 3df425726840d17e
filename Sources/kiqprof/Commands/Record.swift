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

              With --listen it serves Prometheus metrics at /metrics: Sidekiq's gauges and counters under \
              sidekiq-prometheus-exporter's names, per-class run counts and duration histograms, the host and \
              process samples, and the suspects' scores over the last hour. Loopback only, unless --listen-public.

              Examples:
                kiqprof record --db /var/lib/kiqprof/kiqprof.sqlite
                kiqprof record --listen 127.0.0.1:9127 --env-file /home/mastodon/live/.env.production
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

        @Option(help: ArgumentHelp("Serve Prometheus metrics at http://ADDRESS/metrics (IPv4 host:port).", valueName: "address"))
        var listen: String?

        @Option(name: .customLong("thread-trace"), help: ArgumentHelp(
            "Also write what the per-run CPU meter is fed (thread readings, runs) to FILE as JSON lines, to replay it.",
            valueName: "file", visibility: .hidden))
        var threadTrace: String?

        @Flag(name: .customLong("listen-public"), help: "Allow --listen on an address other than loopback (127.0.0.0/8).")
        var listenPublic = false

        func validate() throws {
            if let listen {
                let address: ListenAddress
                do { address = try ListenAddress(listen) } catch { throw ValidationError("\(error)") }
                if !address.isLoopback && !listenPublic {
                    throw ValidationError("--listen \(listen) is not a loopback address: the metrics name your job classes and "
                        + "hosts; add --listen-public to serve them there anyway")
                }
            }
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
            options.threadTrace = threadTrace
            options.cronNamespaces = target.cronNamespaces
            options.interval = try DurationExpression.parse(interval)
            options.flushInterval = try DurationExpression.parse(flush)
            options.retain = try DurationExpression.parse(retain)
            options.duration = try duration.map(DurationExpression.parse)
            options.timeout = min(target.timeout, max(0.5, options.interval * 2))
            Diagnostics.info("recording \(target.endpoint) into \(database.path) every \(interval) (Ctrl-C to stop)")
            let recorder = Recorder(options: options, store: database) { Diagnostics.info($0) }
            var server: MetricsHTTPServer?
            if let listen {
                let metrics = RecorderMetrics(startedAt: MonotonicClock.now())
                let endpoint = MetricsEndpoint(metrics: metrics, store: database)
                let listener = try MetricsHTTPServer(address: try ListenAddress(listen)) { endpoint.render() }
                recorder.metrics = metrics
                listener.start()
                server = listener
                Diagnostics.info("serving Prometheus metrics at http://\(listener.address)/metrics")
            }
            defer { server?.stop() }
            let summary = try recorder.run { StopSignal.isRequested }
            let notMeasured = summary.runsNotMeasured.sorted { ($1.value, $0.key.rawValue) < ($0.value, $1.key.rawValue) }
                .map { "\($0.value) \($0.key.rawValue)" }.joined(separator: ", ")
            let notMeasuredText = notMeasured.isEmpty ? "" : "; not measured: \(notMeasured)"
            Diagnostics.info("stopped after \(summary.polls) polls: \(summary.runsRecorded) runs "
                + "(\(summary.runsMeasured) with their thread's CPU measured\(notMeasuredText)), "
                + "\(summary.hostSamples) host samples, \(summary.gaps) gaps")
            if summary.redisPolls > 0 {
                let polls = Double(summary.redisPolls)
                Diagnostics.info("per poll: \(Double(summary.roundTrips) / polls) round trips, "
                    + "\(Double(summary.commands) / polls) commands (\(summary.redisPolls) polls reached Redis)")
            }
        }
    }
}
