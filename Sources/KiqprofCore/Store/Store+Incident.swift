import GRDB
private import GRDBSQLite

extension Store {
    /// The time span the store has data for (runs and host samples), or nil when it is empty.
    public func dataSpan() throws -> (from: Double, to: Double)? {
        do {
            return try database.read { db in
                let row = try Row.fetchOne(db, sql: """
                    SELECT MIN(lo), MAX(hi) FROM (
                        SELECT MIN(start) AS lo, MAX(COALESCE(end, end_max, start)) AS hi FROM job_run
                        UNION ALL SELECT MIN(t), MAX(t) FROM host_sample
                        UNION ALL SELECT MIN(t), MAX(t) FROM process_sample)
                    """)
                guard let row, let from = row[0] as Double?, let to = row[1] as Double? else { return nil }
                return (from, to)
            }
        } catch let error as DatabaseError {
            throw StoreError.database(path: path, error: error)
        }
    }

    /// Loads what `incident` analyses over [from, to]: runs that overlap it, samples inside it (with a
    /// margin so the first interval has a predecessor), gaps, schedules. Rows are read through SQLite's C
    /// API because a day can hold millions of runs.
    public func incidentDataset(from: Double, to: Double) throws -> IncidentDataset {
        do {
            return try database.read { db in
                var dataset = IncidentDataset()
                var classes = IncidentDataset.Interner()
                var identities = IncidentDataset.Interner()
                var hosts = IncidentDataset.Interner()
                let lastDataTime = try Double.fetchOne(db,
                    sql: "SELECT MAX(t) FROM (SELECT MAX(t) AS t FROM host_sample UNION ALL SELECT MAX(t) FROM process_sample UNION ALL"
                    + " SELECT MAX(COALESCE(end, end_max, start)) FROM job_run)") ?? to

                let runs = try db.makeStatement(sql: """
                    SELECT class, start, end, end_max, identity, host, outcome, source, end_min FROM job_run
                    WHERE start <= ? AND COALESCE(end, end_max, 1e18) >= ? ORDER BY start, id
                    """)
                try runs.setArguments([to, from])
                let handle = runs.sqliteStatement
                while try nextRow(runs) {
                    let start = sqlite3_column_double(handle, 1)
                    let outcome = text(handle, 6).flatMap(RunOutcome.init(rawValue:)) ?? .unknown
                    var end: Double
                    var isOpen = false
                    if sqlite3_column_type(handle, 2) != SQLITE_NULL {
                        end = sqlite3_column_double(handle, 2)
                    } else if sqlite3_column_type(handle, 3) != SQLITE_NULL {
                        end = sqlite3_column_double(handle, 3)
                    } else {
                        end = max(start, min(to, lastDataTime))
                        isOpen = true
                    }
                    if outcome == .running { isOpen = true }
                    let source = text(handle, 7).flatMap(RunSource.init(rawValue:)) ?? .poll
                    dataset.runSources[source, default: 0] += 1
                    dataset.runs.append(IncidentDataset.Run(
                        classIndex: classes.index(text(handle, 0) ?? "?"), start: start, end: end, isOpen: isOpen,
                        identityIndex: text(handle, 4).map { identities.index($0) } ?? -1,
                        hostIndex: text(handle, 5).map { hosts.index($0) } ?? -1,
                        failed: outcome == .failed, lost: outcome == .lost,
                        endBracket: source == .poll ? bracket(handle, from: 8, to: 3) : nil))
                }

                // A margin before `from`: a CPU saturation or sampling gap that began before the window still
                // counts as one stretch (the detector clips it to the window; the correlation uses only samples inside).
                let margin = 600.0
                let samples = try db.makeStatement(sql: """
                    SELECT t, host, cpu_idle_pct, cpu_iowait_pct, cpu_busy_pct, mem_total_kib, mem_available_kib, mem_used_pct,
                           swap_total_kib, swap_free_kib, load1, cpu_count, psi_cpu_some_avg10, psi_memory_full_avg10
                    FROM host_sample WHERE t >= ? AND t <= ? ORDER BY t, host
                    """)
                try samples.setArguments([from - margin, to])
                let sampleHandle = samples.sqliteStatement
                while try nextRow(samples) {
                    let h = sampleHandle
                    var point = IncidentDataset.HostPoint(t: sqlite3_column_double(h, 0), hostIndex: hosts.index(text(h, 1) ?? "?"))
                    if let idle = double(h, 2) {
                        point.cpuBusyPct = max(0, 100 - idle - (double(h, 3) ?? 0))
                    } else {
                        point.cpuBusyPct = double(h, 4)
                    }
                    if let total = double(h, 5), total > 0 {
                        point.memTotalMB = total / 1024
                        if let available = double(h, 6) {
                            point.memUsedMB = (total - available) / 1024
                            point.memUsedPct = (total - available) / total * 100
                        } else if let usedPct = double(h, 7) {
                            point.memUsedPct = usedPct
                            point.memUsedMB = total / 1024 * usedPct / 100
                        }
                    } else {
                        point.memUsedPct = double(h, 7)
                    }
                    if let swapTotal = double(h, 8), let swapFree = double(h, 9) { point.swapUsedMB = (swapTotal - swapFree) / 1024 }
                    point.load1 = double(h, 10)
                    point.cpuCount = double(h, 11).map { Int($0) }
                    point.psiCPUSomeAvg10 = double(h, 12)
                    point.psiMemoryFullAvg10 = double(h, 13)
                    dataset.hostPoints.append(point)
                }

                let processes = try db.makeStatement(sql: """
                    SELECT t, identity, cpu_pct, COALESCE(proc_rss_kib, rss_kib), concurrency FROM process_sample
                    WHERE t >= ? AND t <= ? ORDER BY t, identity
                    """)
                try processes.setArguments([from - margin, to])
                let processHandle = processes.sqliteStatement
                while try nextRow(processes) {
                    let h = processHandle
                    dataset.processPoints.append(IncidentDataset.ProcessPoint(
                        t: sqlite3_column_double(h, 0), identityIndex: identities.index(text(h, 1) ?? "?"),
                        cpuPct: double(h, 2), rssMB: double(h, 3).map { $0 / 1024 }, concurrency: double(h, 4).map { Int($0) }))
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
                    SELECT name, class, source, period_s, enabled, toggle_key, cron_namespace, cron, every FROM schedule_definition ORDER\
                     BY source, name
                    """).compactMap { row in
                        // A scheduler this version does not know is left out rather than guessed.
                        SchedulerKind(rawValue: row[2]).map {
                            IncidentDataset.Schedule(name: row[0], jobClass: row[1], source: $0, periodSeconds: row[3], enabled: row[4],
                                                     toggleKey: row[5], cronNamespace: row[6], cron: row[7], every: row[8])
                        }
                    }
                dataset.hasClassMetrics = try Bool.fetchOne(db, sql: """
                    SELECT EXISTS (SELECT 1 FROM class_minute_metric WHERE minute >= ? AND minute <= ?)
                    """, arguments: [from - 60, to]) ?? false

                dataset.classes = classes.names
                dataset.identities = identities.names
                dataset.hosts = hosts.names
                return dataset
            }
        } catch let error as DatabaseError {
            throw StoreError.database(path: path, error: error)
        }
    }
}

/// Steps a statement: true on a row, false when done, and the error (naming the SQL) otherwise.
private func nextRow(_ statement: Statement) throws -> Bool {
    let code = sqlite3_step(statement.sqliteStatement)
    if code == SQLITE_ROW { return true }
    if code == SQLITE_DONE { return false }
    let message = sqlite3_errmsg(sqlite3_db_handle(statement.sqliteStatement)).map { String(cString: $0) }
    throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
}

private func text(_ statement: OpaquePointer, _ column: Int32) -> String? {
    guard let bytes = sqlite3_column_text(statement, column) else { return nil }
    return String(cString: bytes)
}

/// [end_min, end_max] of a polled run, when both are known and in order.
private func bracket(_ statement: OpaquePointer, from lower: Int32, to upper: Int32) -> ClosedRange<Double>? {
    guard let low = double(statement, lower), let high = double(statement, upper), high >= low else { return nil }
    return low...high
}

private func double(_ statement: OpaquePointer, _ column: Int32) -> Double? {
    sqlite3_column_type(statement, column) == SQLITE_NULL ? nil : sqlite3_column_double(statement, column)
}
