import GRDB

extension Store {
    /// The time span the store has data for (runs and host samples), or nil when it is empty.
    public func dataSpan() throws -> (from: Double, to: Double)? {
        try reading { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT MIN(lo), MAX(hi) FROM (
                    SELECT MIN(start) AS lo, MAX(COALESCE(end, end_max, start)) AS hi FROM job_run
                    UNION ALL SELECT MIN(t), MAX(t) FROM host_sample
                    UNION ALL SELECT MIN(t), MAX(t) FROM process_sample)
                """)
            guard let row, let from = row[0] as Double?, let to = row[1] as Double? else { return nil }
            return (from, to)
        }
    }

    /// Loads what `incident` analyses over [from, to]: runs that overlap it, samples inside it (with a
    /// margin so the first interval has a predecessor), gaps, schedules. Rows are read through SQLite's C
    /// API because a day can hold millions of runs.
    public func incidentDataset(from: Double, to: Double) throws -> IncidentDataset {
        try reading { db in
            var dataset = IncidentDataset()
            var classes = IncidentDataset.Interner()
            var identities = IncidentDataset.Interner()
            var hosts = IncidentDataset.Interner()
            var boots = IncidentDataset.Interner()
            var cgroups = IncidentDataset.Interner()
            let lastDataTime = try Double.fetchOne(db,
                sql: "SELECT MAX(t) FROM (SELECT MAX(t) AS t FROM host_sample UNION ALL SELECT MAX(t) FROM process_sample UNION ALL"
                + " SELECT MAX(COALESCE(end, end_max, start)) FROM job_run)") ?? to

            let runs = SQLiteStatement(try db.makeStatement(sql: """
                SELECT class, start, end, end_min, end_max, identity, host, outcome, source, pid, cpu_s, cpu_s_min, cpu_s_max,
                       cpu_mapping, cpu_note
                FROM job_run WHERE start <= ? AND COALESCE(end, end_max, 1e18) >= ? ORDER BY start, id
                """))
            try runs.statement.setArguments([to, from])
            let openUntil = min(to, lastDataTime)
            while try runs.nextRow() {
                let estimate = runs.double(2)
                let source = runs.text(8).flatMap(RunSource.init(rawValue:)) ?? .poll
                dataset.runSources[source, default: 0] += 1
                dataset.runs.append(IncidentDataset.Run(
                    classIndex: classes.index(runs.text(0) ?? "?"), start: runs.number(1),
                    end: RunEnd(earliest: runs.double(3) ?? estimate, latest: runs.double(4) ?? estimate),
                    outcome: runs.text(7).flatMap(RunOutcome.init(rawValue:)) ?? .unknown, source: source, openUntil: openUntil,
                    identityIndex: runs.text(5).map { identities.index($0) } ?? -1, hostIndex: runs.text(6).map { hosts.index($0) } ?? -1,
                    pid: runs.double(9).map { Int32($0) } ?? -1))
                // Measured CPU goes to a side array: most runs have none, and a run stays compact.
                if let seconds = runs.double(10) {
                    let mapping = runs.text(13).flatMap(ThreadMappingConfidence.init(rawValue:)) ?? .likely
                    dataset.setCPU(RunCPU(seconds: seconds, minSeconds: runs.double(11) ?? seconds, maxSeconds: runs.double(12) ?? seconds,
                                          mapping: mapping), ofRun: dataset.runs.count - 1)
                } else {
                    // A log carries no thread CPU, whatever the row says.
                    let note = source == .log ? .log : runs.text(14).flatMap(RunCPUNote.init(rawValue:))
                    dataset.runs[dataset.runs.count - 1].cpuNote = note
                }
            }

            // A margin before `from`: a CPU saturation or sampling gap that began before the window still
            // counts as one stretch (the detector clips it to the window; the correlation uses only samples inside).
            let margin = 600.0
            let samples = SQLiteStatement(try db.makeStatement(sql: """
                SELECT t, host, cpu_idle_pct, cpu_iowait_pct, cpu_busy_pct, mem_total_kib, mem_available_kib, mem_used_pct,
                       swap_total_kib, swap_free_kib, load1, cpu_count, psi_cpu_some_avg10, psi_memory_full_avg10,
                       oom_kills, pgmajfault, boot_id, boot_time, cpu_credit_balance
                FROM host_sample WHERE t >= ? AND t <= ? ORDER BY t, host
                """))
            try samples.statement.setArguments([from - margin, to])
            while try samples.nextRow() {
                let h = samples
                var point = IncidentDataset.HostPoint(t: h.number(0), hostIndex: hosts.index(h.text(1) ?? "?"))
                if let idle = h.double(2) {
                    point.cpuBusyPct = max(0, 100 - idle - (h.double(3) ?? 0))
                } else {
                    point.cpuBusyPct = h.double(4)
                }
                if let total = h.double(5), total > 0 {
                    point.memTotalMB = total / 1024
                    if let available = h.double(6) {
                        point.memUsedMB = (total - available) / 1024
                        point.memUsedPct = (total - available) / total * 100
                    } else if let usedPct = h.double(7) {
                        point.memUsedPct = usedPct
                        point.memUsedMB = total / 1024 * usedPct / 100
                    }
                } else {
                    point.memUsedPct = h.double(7)
                }
                if let swapTotal = h.double(8), let swapFree = h.double(9) { point.swapUsedMB = (swapTotal - swapFree) / 1024 }
                point.load1 = h.double(10)
                point.cpuCount = h.double(11).map { Int($0) }
                point.psiCPUSomeAvg10 = h.double(12)
                point.psiMemoryFullAvg10 = h.double(13)
                point.oomKills = h.double(14).map { Int64($0) }
                point.majorFaults = h.double(15).map { Int64($0) }
                point.bootIndex = h.text(16).map { boots.index($0) } ?? -1
                point.bootTime = h.double(17)
                point.cpuCreditBalance = h.double(18)
                dataset.hostPoints.append(point)
            }

            let processes = SQLiteStatement(try db.makeStatement(sql: """
                SELECT t, identity, cpu_pct, COALESCE(proc_rss_kib, rss_kib), concurrency, job_cpu_s FROM process_sample
                WHERE t >= ? AND t <= ? ORDER BY t, identity
                """))
            try processes.statement.setArguments([from - margin, to])
            while try processes.nextRow() {
                let h = processes
                dataset.processPoints.append(IncidentDataset.ProcessPoint(
                    t: h.number(0), identityIndex: identities.index(h.text(1) ?? "?"),
                    cpuPct: h.double(2), rssMB: h.double(3).map { $0 / 1024 }, concurrency: h.double(4).map { Int($0) },
                    jobCPUSeconds: h.double(5)))
            }

            // The recorder stores a shared cgroup's reading once a poll (on the first process in it): one row each.
            let cgroupRows = SQLiteStatement(try db.makeStatement(sql: """
                SELECT t, host, cgroup_path, cgroup_usage_kib, cgroup_inactive_file_kib, cgroup_limit_kib,
                       cgroup_limit_hits, cgroup_oom_kills, cgroup_high_events, cgroup_under_oom
                FROM process_sample WHERE t >= ? AND t <= ? AND cgroup_path IS NOT NULL AND cgroup_usage_kib IS NOT NULL
                ORDER BY t
                """))
            try cgroupRows.statement.setArguments([from - margin, to])
            while try cgroupRows.nextRow() {
                let c = cgroupRows
                let usage = c.number(3)
                dataset.cgroupPoints.append(IncidentDataset.CgroupPoint(
                    t: c.number(0), hostIndex: hosts.index(c.text(1) ?? "?"), cgroupIndex: cgroups.index(c.text(2) ?? "?"),
                    usageMB: usage / 1024, workingSetMB: (usage - min(usage, c.double(4) ?? 0)) / 1024,
                    limitMB: c.double(5).map { $0 / 1024 }, limitHits: c.double(6).map { Int64($0) },
                    oomKills: c.double(7).map { Int64($0) }))
                dataset.cgroupPoints[dataset.cgroupPoints.count - 1].highEvents = c.double(8).map { Int64($0) }
                dataset.cgroupPoints[dataset.cgroupPoints.count - 1].underOOM = c.double(9).map { $0 != 0 }
            }

            dataset.queuePoints = try Row.fetchAll(db, sql: """
                SELECT t, queue, latency_s, size FROM queue_sample WHERE t >= ? AND t <= ? AND latency_s IS NOT NULL ORDER BY t, queue
                """, arguments: [from, to]).map { IncidentDataset.QueuePoint(t: $0[0], queue: $0[1], latency: $0[2], size: $0[3]) }
            dataset.setPoints = try Row.fetchAll(db, sql: """
                SELECT t, retry, dead, processed, failed FROM set_sample WHERE t >= ? AND t <= ? ORDER BY t
                """, arguments: [from, to]).map { IncidentDataset.SetPoint(t: $0[0], retry: $0[1] ?? 0, dead: $0[2] ?? 0,
                    processed: $0[3], failed: $0[4]) }
            dataset.gaps = try Row.fetchAll(db, sql: """
                SELECT from_t, to_t, kind, reason FROM recorder_gap WHERE to_t >= ? AND from_t <= ? ORDER BY from_t, kind, reason
                """, arguments: [from, to]).compactMap { row in
                    // Only the kinds this version writes; an unknown one is left out, not guessed.
                    ObservationGap.Kind(rawValue: row[2]).map { ObservationGap(from: row[0], to: row[1], kind: $0, reason: row[3]) }
                }
            dataset.schedules = try Row.fetchAll(db, sql: """
                SELECT name, class, source, enabled, toggle_key, cron_namespace, cron, every, queue FROM schedule_definition
                ORDER BY source, name
                """).compactMap { row in
                    // A scheduler this version does not know is left out rather than guessed.
                    SchedulerKind(rawValue: row[2]).map {
                        PeriodicSchedule(name: row[0], jobClass: row[1], source: $0, cron: row[6], every: row[7], enabled: row[3],
                                         queue: row[8], cronNamespace: row[5], toggleKey: row[4])
                    }
                }
            // Kills and boots a little after the window too: a restart or reboot follows the kill.
            dataset.oomKills = try Self.oomKills(db, from: from - margin, to: to + margin)
            dataset.boots = try Self.boots(db, from: from - margin, to: to + margin)
            dataset.hasClassMetrics = try Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM class_minute_metric WHERE minute >= ? AND minute <= ?)
                """, arguments: [from - 60, to]) ?? false

            dataset.classes = classes.names
            dataset.identities = identities.names
            dataset.hosts = hosts.names
            dataset.cgroups = cgroups.names
            dataset.bootIds = boots.names
            dataset.linkRunsToProcesses()
            return dataset
        }
    }
}
