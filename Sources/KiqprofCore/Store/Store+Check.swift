import GRDB

extension Store {
    /// What `kiqprof check` needs from the store, read by the newest rows first so it stays fast on a
    /// 14-day store: the recorder's newest samples, the last hour of set sizes, the newest host's recent
    /// samples, and the closed durations of `classes` since `historyFrom`.
    public func checkFacts(classes: Set<String>, historyFrom: Double, hostWindow: Double = 900) throws
        -> CheckInput.StoreFacts
    {
        try reading { db in
            var facts = CheckInput.StoreFacts()
            // The recorder appends, so its newest rows have the largest rowids; imports of old data do not move this.
            let recent = try Row.fetchAll(db, sql: """
                SELECT t, host FROM host_sample WHERE source = ? ORDER BY rowid DESC LIMIT 30
                """, arguments: [HostSampleSource.proc.rawValue])
            let times = recent.map { $0[0] as Double }
            let newestSet = try Row.fetchOne(db, sql: "SELECT t, retry, dead FROM set_sample ORDER BY rowid DESC LIMIT 1")
            facts.newestSample = [times.first, newestSet.map { $0[0] as Double }].compactMap { $0 }.max()
            let steps = zip(times, times.dropFirst()).map { $0 - $1 }.filter { $0 > 0 }.sorted()
            if !steps.isEmpty { facts.recorderInterval = steps[steps.count / 2] }

            if let newestSet {
                let newest = (t: newestSet[0] as Double, retry: newestSet[1] as Int? ?? 0, dead: newestSet[2] as Int? ?? 0)
                facts.setsNewest = newest
                // Walk back until an hour before the newest: at most an hour of rows.
                let rows = try Row.fetchCursor(db, sql: "SELECT t, retry, dead FROM set_sample ORDER BY rowid DESC")
                while let row = try rows.next() {
                    let t: Double = row[0]
                    if t < newest.t - 3600 { break }
                    facts.setsHourAgo = (t, row[1] as Int? ?? 0, row[2] as Int? ?? 0)
                }
            }

            if let host = recent.first.map({ $0[1] as String }), let newest = times.first {
                facts.hostSamples = try HostSample.filter(Column("host") == host && Column("t") >= newest - hostWindow)
                    .order(Column("t")).fetchAll(db)
            }

            if !classes.isEmpty {
                let marks = Array(repeating: "?", count: classes.count).joined(separator: ",")
                let rows = try Row.fetchCursor(db, sql: """
                    SELECT class, start, COALESCE(end, (end_min + end_max) / 2, end_max) FROM job_run
                    WHERE start >= ? AND class IN (\(marks)) AND COALESCE(end, end_max) IS NOT NULL ORDER BY start
                    """, arguments: StatementArguments([historyFrom] + classes.sorted()))
                while let row = try rows.next() {
                    let start: Double = row[1], end: Double = row[2]
                    facts.durations[row[0] as String, default: []].append(max(0, end - start))
                }
            }
            facts.schedules = try Row.fetchAll(db, sql: """
                SELECT name, class, source, enabled, cron, every FROM schedule_definition ORDER BY source, name
                """).compactMap { row in
                    SchedulerKind(rawValue: row[2]).map {
                        PeriodicSchedule(name: row[0], jobClass: row[1], source: $0, cron: row[4], every: row[5], enabled: row[3])
                    }
                }
            return facts
        }
    }
}
