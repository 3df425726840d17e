import GRDB

extension Store {
    /// Writes one flush of the recorder in a single transaction: all of it lands, or none.
    public func write(_ batch: RecordBatch) throws {
        try writing { db in
            let inserter = try JobRunInserter(db: db)
            for run in batch.runs { try inserter.insert(run, importId: nil) }
            for sample in batch.hostSamples { try sample.insert(db) }
            let processStatement = try db.cachedStatement(sql: """
                INSERT INTO process_sample (t, identity, host, pid, busy, concurrency, rss_kib, rtt_us, beat, quiet, cpu_pct,\
                 proc_rss_kib, cgroup_path, cgroup_usage_kib, cgroup_inactive_file_kib, cgroup_limit_kib, cgroup_limit_hits,\
                 cgroup_oom_kills, cgroup_oom_events, cgroup_high_events, cgroup_under_oom, job_cpu_s)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for s in batch.processSamples {
                try processStatement.execute(arguments: [s.t, s.identity, s.host, s.pid, s.busy, s.concurrency, s.rssKiB, s.rttMicros,
                    s.beat, s.quiet, s.cpuPct, s.procRssKiB, s.cgroupPath, s.cgroupUsageKiB, s.cgroupInactiveFileKiB, s.cgroupLimitKiB,
                    s.cgroupLimitHits, s.cgroupOOMKills, s.cgroupOOMEvents, s.cgroupHighEvents, s.cgroupUnderOOM, s.jobCPUSeconds])
            }
            let queueStatement = try db.cachedStatement(sql: "INSERT INTO queue_sample (t, queue, size, latency_s) VALUES (?, ?, ?, ?)")
            for s in batch.queueSamples { try queueStatement.execute(arguments: [s.t, s.queue, s.size, s.latency]) }
            for s in batch.setSamples {
                try db.execute(sql: "INSERT INTO set_sample (t, retry, schedule, dead, processed, failed) VALUES (?, ?, ?, ?, ?, ?)",
                               arguments: [s.t, s.retry, s.schedule, s.dead, s.processed, s.failed])
            }
            for gap in batch.gaps {
                try db.execute(sql: "INSERT INTO recorder_gap (from_t, to_t, kind, reason) VALUES (?, ?, ?, ?)",
                               arguments: [gap.from, gap.to, gap.kind.rawValue, gap.reason])
            }
            for schedule in batch.schedules {
                try db.execute(sql: """
                    INSERT INTO schedule_definition (source, name, class, cron, every, period_s, enabled, queue, cron_namespace,\
                     toggle_key, first_seen, last_seen)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (source, name) DO UPDATE SET class = excluded.class, cron = excluded.cron, every = excluded.every,
                        period_s = excluded.period_s, enabled = excluded.enabled, queue = excluded.queue,
                        cron_namespace = excluded.cron_namespace, toggle_key = excluded.toggle_key, last_seen = excluded.last_seen
                    """, arguments: [schedule.source.rawValue, schedule.name, schedule.jobClass, schedule.cron, schedule.every,
                                     schedule.periodSeconds, schedule.enabled, schedule.queue, schedule.cronNamespace,
                                         schedule.toggleKey,
                                     batch.schedulesSeenAt, batch.schedulesSeenAt])
            }
        }
    }

    /// Removes and returns the polled runs a previous recorder left `running`, for the next one to adopt.
    public func takeRunningPolledRuns() throws -> [JobRun] {
        try writing { db in
            let runs = try JobRun.filter(Column("outcome") == JobRun.Outcome.running.rawValue
                && Column("source") == JobRun.Source.poll.rawValue).fetchAll(db)
            try db.execute(sql: "DELETE FROM job_run WHERE outcome = '\(RunOutcome.running.rawValue)' AND source ="
                + " '\(RunSource.poll.rawValue)'")
            return runs
        }
    }

    /// Deletes samples and runs older than `cutoff`, at most `limit` rows per table per call, so retention
    /// never holds the write lock for long. Returns the number of rows removed.
    @discardableResult
    public func prune(before cutoff: Double, limit: Int = 5000) throws -> Int {
        try writing { db in
            var removed = 0
            for (table, column) in [("job_run", "start"), ("host_sample", "t"), ("process_sample", "t"), ("queue_sample", "t"),
                                    ("set_sample", "t"), ("recorder_gap", "to_t")] {
                try db.execute(sql: "DELETE FROM \(table) WHERE rowid IN (SELECT rowid FROM \(table) WHERE \(column) < ? LIMIT ?)",
                               arguments: [cutoff, limit])
                removed += db.changesCount
            }
            return removed
        }
    }

    /// Recorded runs, newest first, optionally of one class and overlapping a window.
    public func runs(jobClass: String? = nil, from: Double? = nil, to: Double? = nil, limit: Int? = nil) throws -> [JobRun] {
        try reading { db in
            var request = Self.runRequest(jobClass: jobClass, from: from, to: to).order(Column("start").desc, Column("id").desc)
            if let limit { request = request.limit(limit) }
            return try request.fetchAll(db)
        }
    }

    /// How many runs `runs(jobClass:from:to:)` would list without a limit.
    public func runCount(jobClass: String? = nil, from: Double? = nil, to: Double? = nil) throws -> Int {
        try reading { db in try Self.runRequest(jobClass: jobClass, from: from, to: to).fetchCount(db) }
    }

    private static func runRequest(jobClass: String?, from: Double?, to: Double?) -> QueryInterfaceRequest<JobRun> {
        var request = JobRun.all()
        if let jobClass { request = request.filter(Column("class") == jobClass) }
        if let to { request = request.filter(Column("start") <= to) }
        if let from { request = request.filter(Column("end") == nil || Column("end") >= from) }
        return request
    }

    /// Row counts per table, for summaries and tests.
    public func counts() throws -> [String: Int] {
        try reading { db in
            var result: [String: Int] = [:]
            for table in ["job_run", "host_sample", "process_sample", "queue_sample", "set_sample", "recorder_gap", "schedule_definition"] {
                result[table] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0
            }
            return result
        }
    }

    /// Recorded gaps (from, to, kind, reason), oldest first.
    public func gaps() throws -> [RecordBatch.Gap] {
        try reading { db in
            try Row.fetchAll(db, sql: "SELECT from_t, to_t, kind, reason FROM recorder_gap ORDER BY from_t").compactMap { row in
                ObservationGap.Kind(rawValue: row["kind"]).map {
                    ObservationGap(from: row["from_t"], to: row["to_t"], kind: $0, reason: row["reason"])
                }
            }
        }
    }

    /// CPU percent (of one core) and RSS of one Sidekiq process over time, as recorded on its host.
    public func processUsage(identity: String) throws -> [(t: Double, cpuPct: Double?, rssKiB: Int?)] {
        try reading { db in
            try Row.fetchAll(db, sql: "SELECT t, cpu_pct, proc_rss_kib FROM process_sample WHERE identity = ? ORDER BY t",
                arguments: [identity]).map {
                (t: $0["t"], cpuPct: $0["cpu_pct"], rssKiB: $0["proc_rss_kib"])
            }
        }
    }

    /// The memory cgroup readings of one Sidekiq process over time, as recorded on its host.
    public func processCgroups(identity: String) throws -> [ProcessSample] {
        try reading { db in
            try Row.fetchAll(db, sql: """
                SELECT t, host, pid, cgroup_path, cgroup_usage_kib, cgroup_inactive_file_kib, cgroup_limit_kib, cgroup_limit_hits,
                       cgroup_oom_kills, cgroup_oom_events, cgroup_high_events, cgroup_under_oom
                FROM process_sample WHERE identity = ? ORDER BY t
                """, arguments: [identity]).map { row in
                var sample = ProcessSample(t: row["t"], identity: identity, host: row["host"], pid: row["pid"], busy: nil,
                                           concurrency: nil, rssKiB: nil, rttMicros: nil, beat: nil, quiet: nil, cpuPct: nil,
                                           procRssKiB: nil)
                sample.cgroupPath = row["cgroup_path"]
                sample.cgroupUsageKiB = row["cgroup_usage_kib"]
                sample.cgroupInactiveFileKiB = row["cgroup_inactive_file_kib"]
                sample.cgroupLimitKiB = row["cgroup_limit_kib"]
                sample.cgroupLimitHits = row["cgroup_limit_hits"]
                sample.cgroupOOMKills = row["cgroup_oom_kills"]
                sample.cgroupOOMEvents = row["cgroup_oom_events"]
                sample.cgroupHighEvents = row["cgroup_high_events"]
                sample.cgroupUnderOOM = row["cgroup_under_oom"]
                return sample
            }
        }
    }

    /// `PRAGMA integrity_check`: "ok" for a consistent file.
    public func integrityCheck() throws -> String {
        try reading { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "unknown" }
    }
}
