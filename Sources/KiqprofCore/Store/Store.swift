import Foundation
import GRDB

/// kiqprof's embedded SQLite store (one file, WAL). Every table that later commands need is created by
/// named, append-only migrations, so a store written by an older kiqprof opens in a newer one.
public final class Store: Sendable {
    public let path: String
    let database: DatabasePool
    /// Each connection's page cache, in KiB.
    static let cacheKiB = 32768

    /// Opens (creating if needed) the store at `path` and migrates it.
    /// - Parameter busyTimeout: how long a write waits for another process's lock before failing; the
    ///   recorder keeps it short so a locked store delays sampling by at most that much.
    public init(path: String, busyTimeout: Double = 5) throws {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.prepareDatabase { db in
            // 8 KiB pages for a new store (an existing one keeps its own): bulk imports write and checkpoint
            // half as many pages; a small commit of the recorder writes 8 KiB instead of 4 per page it touches.
            try db.execute(sql: "PRAGMA page_size = 8192")
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // 32 MiB of page cache: bulk imports rewrite fewer pages; stays well inside the memory budget.
            try db.execute(sql: "PRAGMA cache_size = -\(Self.cacheKiB)")
        }
        do {
            database = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(database)
        } catch let error as DatabaseError {
            throw StoreError.database(path: path, error: error)
        }
    }

    /// The default location: `$KIQPROF_DB`, else `$XDG_DATA_HOME/kiqprof/kiqprof.sqlite`, else `~/.local/share/kiqprof/kiqprof.sqlite`.
    public static func defaultPath(environment: [String: String]) -> String {
        if let explicit = environment["KIQPROF_DB"], !explicit.isEmpty { return explicit }
        let dataHome = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) as NSString).appendingPathComponent(".local/share")
        return (dataHome as NSString).appendingPathComponent("kiqprof/kiqprof.sqlite")
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: runs, samples, schedules, gaps, metrics, imports, report state") { db in
            try db.execute(sql: """
                CREATE TABLE job_run (
                    id INTEGER PRIMARY KEY,
                    jid TEXT, class TEXT NOT NULL, queue TEXT,
                    identity TEXT, host TEXT, pid INTEGER, tid TEXT,
                    start REAL NOT NULL, end REAL, end_min REAL, end_max REAL,
                    outcome TEXT NOT NULL, source TEXT NOT NULL,
                    args_digest TEXT, error_class TEXT, import_id INTEGER
                );
                CREATE INDEX job_run_by_start ON job_run(start);
                CREATE INDEX job_run_by_jid ON job_run(jid);
                CREATE TABLE process_sample (
                    t REAL NOT NULL, identity TEXT NOT NULL, host TEXT, pid INTEGER,
                    busy INTEGER, concurrency INTEGER, rss_kib INTEGER, rtt_us INTEGER, beat REAL, quiet INTEGER,
                    cpu_pct REAL, proc_rss_kib INTEGER
                );
                CREATE INDEX process_sample_by_t ON process_sample(t);
                CREATE TABLE host_sample (
                    t REAL NOT NULL, host TEXT NOT NULL, source TEXT NOT NULL,
                    cpu_user_pct REAL, cpu_system_pct REAL, cpu_iowait_pct REAL, cpu_steal_pct REAL, cpu_idle_pct REAL,
                    cpu_count INTEGER, load1 REAL, load5 REAL, load15 REAL,
                    mem_total_kib INTEGER, mem_available_kib INTEGER, swap_total_kib INTEGER, swap_free_kib INTEGER,
                    psi_cpu_some_avg10 REAL, psi_memory_some_avg10 REAL, psi_memory_full_avg10 REAL,
                    psi_io_some_avg10 REAL, psi_io_full_avg10 REAL,
                    import_id INTEGER
                );
                CREATE INDEX host_sample_by_t ON host_sample(host, t);
                CREATE TABLE queue_sample (t REAL NOT NULL, queue TEXT NOT NULL, size INTEGER NOT NULL, latency_s REAL);
                CREATE INDEX queue_sample_by_t ON queue_sample(t);
                CREATE TABLE set_sample (t REAL NOT NULL, retry INTEGER, schedule INTEGER, dead INTEGER, processed INTEGER, failed INTEGER);
                CREATE TABLE schedule_definition (
                    source TEXT NOT NULL, name TEXT NOT NULL, class TEXT NOT NULL, cron TEXT, every TEXT, period_s REAL,
                    enabled INTEGER NOT NULL, queue TEXT, cron_namespace TEXT, toggle_key TEXT,
                    first_seen REAL NOT NULL, last_seen REAL NOT NULL,
                    PRIMARY KEY (source, name)
                );
                CREATE TABLE recorder_gap (from_t REAL NOT NULL, to_t REAL NOT NULL, kind TEXT NOT NULL, reason TEXT NOT NULL);
                CREATE TABLE class_minute_metric (
                    minute REAL NOT NULL, class TEXT NOT NULL, processed INTEGER, failed INTEGER, total_ms INTEGER,
                    histogram BLOB, source TEXT NOT NULL,
                    PRIMARY KEY (class, minute)
                );
                CREATE TABLE import_record (
                    id INTEGER PRIMARY KEY, kind TEXT NOT NULL, fingerprint TEXT NOT NULL UNIQUE, path TEXT,
                    imported_at REAL NOT NULL, summary TEXT
                );
                CREATE TABLE report_state (name TEXT PRIMARY KEY, value TEXT NOT NULL);
                """)
        }
        migrator.registerMigration("v2: host samples that only know percentages (CloudWatch, Prometheus, CSV)") { db in
            try db.execute(sql: """
                ALTER TABLE host_sample ADD COLUMN cpu_busy_pct REAL;
                ALTER TABLE host_sample ADD COLUMN mem_used_pct REAL;
                ALTER TABLE host_sample ADD COLUMN cpu_credit_balance REAL;
                """)
        }
        migrator.registerMigration("v3: index jids of polled runs only (log imports append millions of random jids)") { db in
            try db.execute(sql: """
                DROP INDEX job_run_by_jid;
                CREATE INDEX job_run_polled_by_jid ON job_run(jid) WHERE source = '\(RunSource.poll.rawValue)';
                """)
        }
        migrator.registerMigration("v4: OOM kills and boots from kernel logs") { db in
            try db.execute(sql: """
                CREATE TABLE oom_kill (
                    t REAL NOT NULL, host TEXT NOT NULL, pid INTEGER NOT NULL, process TEXT NOT NULL, rss_kib INTEGER,
                    cgroup TEXT, oom_cgroup TEXT, constraint_kind TEXT, trigger TEXT, import_id INTEGER
                );
                CREATE INDEX oom_kill_by_t ON oom_kill(t);
                CREATE TABLE host_boot (t REAL NOT NULL, host TEXT NOT NULL, source TEXT NOT NULL, import_id INTEGER);
                CREATE INDEX host_boot_by_t ON host_boot(t);
                """)
        }
        migrator.registerMigration("v4a: why a run was lost (an OOM kill from a kernel log)") { db in
            try db.execute(sql: "ALTER TABLE job_run ADD COLUMN cause TEXT")
        }
        migrator.registerMigration("v5: memory cgroups of Sidekiq processes; vmstat counters and boot identity of hosts") { db in
            try db.execute(sql: """
                ALTER TABLE process_sample ADD COLUMN cgroup_path TEXT;
                ALTER TABLE process_sample ADD COLUMN cgroup_usage_kib INTEGER;
                ALTER TABLE process_sample ADD COLUMN cgroup_inactive_file_kib INTEGER;
                ALTER TABLE process_sample ADD COLUMN cgroup_limit_kib INTEGER;
                ALTER TABLE process_sample ADD COLUMN cgroup_limit_hits INTEGER;
                ALTER TABLE process_sample ADD COLUMN cgroup_oom_kills INTEGER;
                ALTER TABLE process_sample ADD COLUMN cgroup_oom_events INTEGER;
                ALTER TABLE process_sample ADD COLUMN cgroup_high_events INTEGER;
                ALTER TABLE process_sample ADD COLUMN cgroup_under_oom INTEGER;
                ALTER TABLE host_sample ADD COLUMN oom_kills INTEGER;
                ALTER TABLE host_sample ADD COLUMN pgmajfault INTEGER;
                ALTER TABLE host_sample ADD COLUMN pswpin INTEGER;
                ALTER TABLE host_sample ADD COLUMN pswpout INTEGER;
                ALTER TABLE host_sample ADD COLUMN boot_id TEXT;
                ALTER TABLE host_sample ADD COLUMN boot_time REAL;
                """)
        }
        migrator.registerMigration("v6: per-run CPU measured from the kernel's thread accounting") { db in
            try db.execute(sql: """
                ALTER TABLE job_run ADD COLUMN cpu_s REAL;
                ALTER TABLE job_run ADD COLUMN cpu_s_min REAL;
                ALTER TABLE job_run ADD COLUMN cpu_s_max REAL;
                ALTER TABLE job_run ADD COLUMN cpu_mapping TEXT;
                ALTER TABLE job_run ADD COLUMN cpu_note TEXT;
                ALTER TABLE process_sample ADD COLUMN job_cpu_s REAL;
                """)
        }
        return migrator
    }
}

/// Store failures, naming the file and carrying the SQL that failed (GRDB's error names it too).
public enum StoreError: Error, CustomStringConvertible, Sendable {
    case database(path: String, error: DatabaseError)

    /// The statement that failed, when SQLite was executing one.
    public var sql: String? {
        switch self {
        case .database(_, let error): return error.sql
        }
    }

    public var description: String {
        switch self {
        case .database(let path, let error):
            switch error.resultCode {
            case .SQLITE_FULL: return "store \(path): the disk is full (\(error.message ?? "SQLITE_FULL"))"
            case .SQLITE_BUSY, .SQLITE_LOCKED: return "store \(path): the database is locked by another process"
            case .SQLITE_NOTADB, .SQLITE_CORRUPT: return "store \(path): not a kiqprof SQLite store (\(error.message ?? "corrupt"))"
            default: return "store \(path): \(error)"
            }
        }
    }
}
