import Foundation
import GRDB

extension Store {
    /// Stores the OOM kills and boots of one kernel-log import in one transaction. A kill already stored (the
    /// same host and pid within a second, from an overlapping log) or a boot already stored (the same host
    /// within a minute) is skipped.
    public func importKernelEvents(kills: [OOMKill], boots: [(t: Double, host: String)], path: String, fingerprint: String) throws
        -> (kills: Int, boots: Int, skipped: Int, alreadyImported: Bool)
    {
        try writing { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM import_record WHERE fingerprint = ?", arguments: [fingerprint]) == true {
                return (0, 0, kills.count + boots.count, true)
            }
            try db.execute(sql: "INSERT INTO import_record (kind, fingerprint, path, imported_at) VALUES (?, ?, ?, ?)",
                           arguments: [ImportKind.kernelLog.rawValue, fingerprint, path, Date().timeIntervalSince1970])
            let importId = db.lastInsertedRowID
            var added = 0, booted = 0, skipped = 0
            for kill in kills {
                if try Bool.fetchOne(db, sql: "SELECT 1 FROM oom_kill WHERE host = ? AND pid = ? AND t BETWEEN ? AND ?",
                                     arguments: [kill.host, kill.pid, kill.t - 1, kill.t + 1]) == true {
                    skipped += 1
                    continue
                }
                try db.execute(sql: """
                    INSERT INTO oom_kill (t, host, pid, process, rss_kib, cgroup, oom_cgroup, constraint_kind, trigger, import_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [kill.t, kill.host, kill.pid, kill.process, kill.rssKiB, kill.cgroup, kill.oomCgroup, kill.constraint,
                                     kill.trigger, importId])
                added += 1
            }
            booted = try Self.insertBoots(db, boots, source: .kernelLog, importId: importId)
            skipped += boots.count - booted
            try Self.applyOOMKills(db)
            return (added, booted, skipped, false)
        }
    }

    /// Marks the runs each stored OOM kill took down: those of that host and pid in flight at the kill (started
    /// by then, not seen to end before it) become `lost` with cause `oom_killed`, ending at the kill. Run after
    /// every import, so the kernel log and the Sidekiq log may come in either order. Returns how many changed.
    @discardableResult
    static func applyOOMKills(_ db: Database) throws -> Int {
        let settled = [RunOutcome.ok, .failed, .interrupted].map { "'\($0.rawValue)'" }.joined(separator: ", ")
        try db.execute(sql: """
            UPDATE job_run SET outcome = '\(RunOutcome.lost.rawValue)', cause = '\(RunCause.oomKilled.rawValue)',
                end = k.t, end_min = k.t, end_max = k.t
            FROM oom_kill AS k
            WHERE job_run.host = k.host AND job_run.pid = k.pid AND job_run.start <= k.t + 1
              AND (job_run.cause IS NULL) AND job_run.outcome NOT IN (\(settled))
              AND (job_run.end_max IS NULL OR job_run.end_max >= k.t - 1)
              AND (job_run.end_min IS NULL OR job_run.end_min <= k.t + 1)
            """)
        return db.changesCount
    }

    /// Stores boots not already known (the same host within a minute, from any source); returns how many.
    @discardableResult
    static func insertBoots(_ db: Database, _ boots: [(t: Double, host: String)], source: ImportKind, importId: Int64) throws -> Int {
        var added = 0
        for boot in boots {
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM host_boot WHERE host = ? AND t BETWEEN ? AND ?",
                                 arguments: [boot.host, boot.t - 60, boot.t + 60]) == true { continue }
            try db.execute(sql: "INSERT INTO host_boot (t, host, source, import_id) VALUES (?, ?, ?, ?)",
                           arguments: [boot.t, boot.host, source.rawValue, importId])
            added += 1
        }
        return added
    }

    /// OOM kills, oldest first, optionally inside a window.
    public func oomKills(from: Double = -.infinity, to: Double = .infinity) throws -> [OOMKill] {
        try reading { db in try Self.oomKills(db, from: from, to: to) }
    }

    static func oomKills(_ db: Database, from: Double, to: Double) throws -> [OOMKill] {
        try Row.fetchAll(db, sql: """
            SELECT t, host, pid, process, rss_kib, cgroup, oom_cgroup, constraint_kind, trigger FROM oom_kill
            WHERE t >= ? AND t <= ? ORDER BY t, host, pid
            """, arguments: [max(from, -1e18), min(to, 1e18)]).map {
                OOMKill(t: $0[0], host: $0[1], pid: $0[2], process: $0[3], rssKiB: $0[4], cgroup: $0[5], oomCgroup: $0[6],
                        constraint: $0[7], trigger: $0[8])
            }
    }

    /// Boots of each host inside a window, oldest first.
    static func boots(_ db: Database, from: Double, to: Double) throws -> [(t: Double, host: String)] {
        try Row.fetchAll(db, sql: "SELECT t, host FROM host_boot WHERE t >= ? AND t <= ? ORDER BY t", arguments: [from, to])
            .map { (t: $0[0], host: $0[1]) }
    }
}
