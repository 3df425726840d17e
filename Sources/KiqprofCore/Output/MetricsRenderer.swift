/// Renders `record --listen`'s `/metrics`: Sidekiq's gauges and counters under the names of
/// sidekiq-prometheus-exporter (so its dashboards work), then kiqprof's own series: runs and durations per
/// class, the host and process samples, the current suspects' scores and the recorder's health.
public enum MetricsRenderer {
    public struct Suspect: Sendable, Equatable {
        public var jobClass: String
        public var score: Double

        public init(jobClass: String, score: Double) {
            self.jobClass = jobClass
            self.score = score
        }
    }

    public static func render(_ snapshot: RecorderMetrics.Snapshot, suspects: [Suspect], now: Double) -> String {
        var out = PrometheusText()
        if var status = snapshot.status {
            status.busy = snapshot.busy.values.flatMap { $0 }
            sidekiq(status, now: now, into: &out)
        }
        runs(snapshot.classes, into: &out)
        if let host = snapshot.host { self.host(host, into: &out) }
        processes(snapshot.processes, into: &out)
        out.family("kiqprof_suspect_score", .gauge, "Suspect score of a job class over the last hour (README: How suspects are ranked).")
        for suspect in suspects { out.sample("kiqprof_suspect_score", [("class", suspect.jobClass)], suspect.score) }
        out.gauge("kiqprof_redis_up", "1 when the recorder's last poll reached Redis, else 0.", snapshot.redisUp ? 1 : 0)
        out.family("kiqprof_recorder_polls_total", .counter, "Polls since the recorder started.")
        out.sample("kiqprof_recorder_polls_total", [], Double(snapshot.polls))
        out.gauge("kiqprof_recorder_last_poll_timestamp_seconds", "When the recorder last polled (Unix seconds).", snapshot.lastPoll)
        out.gauge("kiqprof_recorder_start_time_seconds", "When the recorder started (Unix seconds).", snapshot.startedAt)
        return out.text
    }

    /// sidekiq-prometheus-exporter 0.4.0's standard metrics (peers.md §A.5), from the recorder's last poll.
    static func sidekiq(_ status: SidekiqStatus, now: Double, into out: inout PrometheusText) {
        let live = status.processes.filter { $0.state == .live }
        if let processed = status.processed {
            out.family("sidekiq_processed_jobs_total", .counter, "The total number of processed jobs.")
            out.sample("sidekiq_processed_jobs_total", [], Double(processed))
        }
        if let failed = status.failed {
            out.family("sidekiq_failed_jobs_total", .counter, "The total number of failed jobs.")
            out.sample("sidekiq_failed_jobs_total", [], Double(failed))
        }
        let workers = live.reduce(0) { $0 + ($1.concurrency ?? 0) }
        out.gauge("sidekiq_workers", "The number of workers across all the processes.", Double(workers))
        out.gauge("sidekiq_processes", "The number of processes.", Double(live.count))
        out.gauge("sidekiq_busy_workers", "The number of workers performing the job.", Double(live.reduce(0) { $0 + ($1.busy ?? 0) }))
        out.gauge("sidekiq_enqueued_jobs", "The number of enqueued jobs.", Double(status.enqueued))
        out.gauge("sidekiq_scheduled_jobs", "The number of jobs scheduled for a future execution.", Double(status.scheduleSize))
        out.gauge("sidekiq_retry_jobs", "The number of failed jobs waiting to be retried.", Double(status.retrySize))
        out.gauge("sidekiq_dead_jobs", "The number of jobs exceeded their retry count.", Double(status.deadSize))

        var byHost: [String: (quiet: [String: Int], rssKiB: Int)] = [:]
        for process in live {
            var entry = byHost[process.hostname] ?? ([:], 0)
            entry.quiet[process.quiet == true ? "true" : "false", default: 0] += 1
            entry.rssKiB += process.rssKiB ?? 0
            byHost[process.hostname] = entry
        }
        out.family("sidekiq_host_processes", .gauge, "The number of processes running on the host.")
        for (host, entry) in byHost.sorted(by: { $0.key < $1.key }) {
            for (quiet, count) in entry.quiet.sorted(by: { $0.key < $1.key }) {
                out.sample("sidekiq_host_processes", [("host", host), ("quiet", quiet)], Double(count))
            }
        }
        out.family("sidekiq_host_processes_memory_usage_bytes", .gauge, "Total memory usage of the processes on the host.")
        for (host, entry) in byHost.sorted(by: { $0.key < $1.key }) {
            out.sample("sidekiq_host_processes_memory_usage_bytes", [("host", host)], Double(entry.rssKiB * 1024))
        }

        let busyByQueue = Dictionary(grouping: status.busy, by: \.queue)
        out.family("sidekiq_queue_latency_seconds", .gauge,
                   "The number of seconds between oldest job being pushed to the queue and current time.")
        for queue in status.queues {
            out.sample("sidekiq_queue_latency_seconds", [("name", queue.name)], queue.latency ?? 0)
        }
        out.family("sidekiq_queue_enqueued_jobs", .gauge, "The number of enqueued jobs in the queue.")
        for queue in status.queues { out.sample("sidekiq_queue_enqueued_jobs", [("name", queue.name)], Double(queue.size)) }
        out.family("sidekiq_queue_max_processing_time_seconds", .gauge, "The longest job processing time in the queue (seconds).")
        for queue in status.queues {
            let oldest = busyByQueue[queue.name]?.map { $0.elapsed(now: now) }.max() ?? 0
            out.sample("sidekiq_queue_max_processing_time_seconds", [("name", queue.name)], oldest)
        }
        out.family("sidekiq_queue_workers", .gauge, "The number of workers serving the queue.")
        out.family("sidekiq_queue_processes", .gauge, "The number of processes serving the queue.")
        out.family("sidekiq_queue_busy_workers", .gauge, "The number of workers performing the job for the queue.")
        for queue in status.queues {
            let serving = live.filter { $0.queues.contains(queue.name) }
            out.sample("sidekiq_queue_workers", [("name", queue.name)], Double(serving.reduce(0) { $0 + ($1.concurrency ?? 0) }))
            out.sample("sidekiq_queue_processes", [("name", queue.name)], Double(serving.count))
            out.sample("sidekiq_queue_busy_workers", [("name", queue.name)], Double(busyByQueue[queue.name]?.count ?? 0))
        }

        out.family("kiqprof_process_heartbeat_age_seconds", .gauge, "Seconds since a Sidekiq process last beat (stale after three beats).")
        for process in status.processes {
            if let age = process.beatAge(now: now) {
                out.sample("kiqprof_process_heartbeat_age_seconds", [("identity", process.identity)], age)
            }
        }

        // Not in the exporter: the oldest running job per class (its issue #89 asks for exactly this).
        out.family("kiqprof_busy_job_max_age_seconds", .gauge, "The longest-running busy job of each class (seconds).")
        for (jobClass, jobs) in Dictionary(grouping: status.busy, by: \.jobClass).sorted(by: { $0.key < $1.key }) {
            out.sample("kiqprof_busy_job_max_age_seconds", [("class", jobClass)], jobs.map { $0.elapsed(now: now) }.max() ?? 0)
        }
    }

    static func runs(_ classes: [String: RecorderMetrics.ClassRuns], into out: inout PrometheusText) {
        let sorted = classes.sorted { $0.key < $1.key }
        out.family("kiqprof_job_runs_total", .counter, "Job runs the recorder saw end since it started, by class and outcome.")
        for (jobClass, entry) in sorted {
            for (outcome, count) in entry.outcomes.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                out.sample("kiqprof_job_runs_total", [("class", jobClass), ("outcome", outcome.rawValue)], Double(count))
            }
        }
        out.family("kiqprof_job_duration_seconds", .histogram, "Durations of the runs the recorder saw end, by class.")
        for (jobClass, entry) in sorted where entry.buckets.reduce(0, +) > 0 {
            out.histogram("kiqprof_job_duration_seconds", labels: [("class", jobClass)], bounds: RecorderMetrics.durationBounds,
                          counts: Array(entry.buckets.prefix(RecorderMetrics.durationBounds.count)) + [entry.buckets.last ?? 0],
                          sum: entry.durationSum)
        }
    }

    static func host(_ sample: HostSample, into out: inout PrometheusText) {
        let labels = [("host", sample.host)]
        out.gauge("kiqprof_host_cpu_busy_ratio", "Host CPU busy share (0-1) over the last poll interval.",
                  sample.cpuBusyPct.map { $0 / 100 }, labels: labels)
        out.gauge("kiqprof_host_memory_total_bytes", "Host MemTotal.", sample.memTotalKiB.map { Double($0) * 1024 }, labels: labels)
        out.gauge("kiqprof_host_memory_available_bytes", "Host MemAvailable.", sample.memAvailableKiB.map { Double($0) * 1024 },
                  labels: labels)
        out.gauge("kiqprof_host_swap_total_bytes", "Host SwapTotal.", sample.swapTotalKiB.map { Double($0) * 1024 }, labels: labels)
        out.gauge("kiqprof_host_swap_free_bytes", "Host SwapFree.", sample.swapFreeKiB.map { Double($0) * 1024 }, labels: labels)
        out.gauge("kiqprof_host_load1", "Host 1-minute load average.", sample.load1, labels: labels)
        out.gauge("kiqprof_host_pressure_cpu_some_ratio", "CPU pressure, some, avg10 (0-1).", sample.psiCPUSomeAvg10.map { $0 / 100 },
                  labels: labels)
        out.gauge("kiqprof_host_pressure_memory_full_ratio", "Memory pressure, full, avg10 (0-1).",
                  sample.psiMemoryFullAvg10.map { $0 / 100 }, labels: labels)
        out.gauge("kiqprof_host_pressure_io_some_ratio", "IO pressure, some, avg10 (0-1).", sample.psiIOSomeAvg10.map { $0 / 100 },
                  labels: labels)
    }

    static func processes(_ samples: [String: ProcessSample], into out: inout PrometheusText) {
        let sorted = samples.sorted { $0.key < $1.key }
        out.family("kiqprof_process_cpu_ratio", .gauge, "CPU of a Sidekiq process on this host, in cores (1 = one core busy).")
        for (identity, sample) in sorted {
            if let cpu = sample.cpuPct { out.sample("kiqprof_process_cpu_ratio", [("identity", identity)], cpu / 100) }
        }
        out.family("kiqprof_process_rss_bytes", .gauge, "RSS of a Sidekiq process: from /proc on this host, else its heartbeat.")
        for (identity, sample) in sorted {
            if let rss = sample.procRssKiB ?? sample.rssKiB {
                out.sample("kiqprof_process_rss_bytes", [("identity", identity)], Double(rss * 1024))
            }
        }
        out.family("kiqprof_process_busy_workers", .gauge, "Busy threads of a Sidekiq process at its last heartbeat.")
        for (identity, sample) in sorted {
            if let busy = sample.busy { out.sample("kiqprof_process_busy_workers", [("identity", identity)], Double(busy)) }
        }
    }
}
