/// Flags Sidekiq settings that cannot work together: a database pool smaller than the threads, threads whose
/// measured memory cannot fit, glibc's per-thread arenas left unbounded. Pure: settings and measurements in,
/// findings out, each with the numbers that make it so.
public enum SettingsLint {
    public struct Finding: Sendable, Equatable {
        /// `problem` (cannot fit or will fail), `warning` (likely to hurt), `note` (worth knowing).
        public var severity: String
        public var code: String
        public var message: String

        public init(severity: String, code: String, message: String) {
            self.severity = severity
            self.code = code
            self.message = message
        }
    }

    /// PostgreSQL's default `max_connections`.
    static let postgresConnections = 100

    /// - Parameters:
    ///   - processes: Sidekiq processes recorded on the host (1 when unknown).
    ///   - recordedConcurrency: the thread count the heartbeats reported, to compare with the files.
    ///   - budget: the measured memory arithmetic, when there is one.
    ///   - memoryMB: the memory judged against (instance, else host), for the rule of thumb without measurements.
    public static func lint(_ settings: SidekiqSettings, processes: Int, recordedConcurrency: Int?, budget: CapacityAnalysis.Budget?,
                            memoryMB: Double?) -> [Finding] {
        var findings: [Finding] = []
        let threads = settings.concurrency
        if let threads, let pool = settings.dbPool, pool.value < threads.value {
            findings.append(Finding(severity: "problem", code: "db_pool_below_concurrency", message:
                "DB_POOL \(pool.value) (\(pool.origin)) is below Sidekiq's \(threads.value) threads (\(threads.origin)): "
                + "\(threads.value - pool.value) threads wait for a database connection and fail with "
                + "ActiveRecord::ConnectionTimeoutError after 5 s; set DB_POOL=\(threads.value)"))
        }
        if let threads, settings.dbPool == nil {
            let fallback = settings.maxThreads?.value ?? 5
            if fallback < threads.value {
                let origin = settings.maxThreads.map { "MAX_THREADS \($0.value) (\($0.origin))" } ?? "the default 5"
                findings.append(Finding(severity: "warning", code: "db_pool_unset", message:
                    "DB_POOL is not set: Mastodon before 4.3 sizes Sidekiq's pool from \(origin), below its \(threads.value) threads "
                    + "(\(threads.origin)); 4.3 and later use the thread count. Set DB_POOL=\(threads.value) to be sure"))
            }
        }
        if let pool = settings.dbPool ?? threads, pool.value * processes >= postgresConnections * 8 / 10 {
            findings.append(Finding(severity: "warning", code: "postgres_connections", message:
                "\(processes) Sidekiq process\(processes == 1 ? "" : "es") × pool \(pool.value) = \(pool.value * processes) connections, "
                + "of PostgreSQL's default max_connections \(postgresConnections), before Puma and tootctl take theirs"))
        }
        if let threads, let budget, let fit = budget.runsAtOnce {
            let total = threads.value * budget.processes
            if total > max(fit, 0) {
                findings.append(Finding(severity: "problem", code: "threads_do_not_fit", message:
                    "\(threads.value) threads × \(budget.processes) process\(budget.processes == 1 ? "" : "es") = \(total) runs at once, "
                    + "but the measured costs fit \(max(fit, 0)) in \(NumberText.compact(budget.memoryMB)) MB: "
                    + Self.budgetSentence(budget)))
            }
        } else if let threads, let memoryMB, memoryMB <= 2048, threads.value > 10 {
            findings.append(Finding(severity: "warning", code: "threads_do_not_fit", message:
                "\(threads.value) threads (\(threads.origin)) on \(NumberText.compact(memoryMB)) MB: Mastodon's operators run 5–10 "
                + "on 2 GiB (no measured run costs to check against; record with `kiqprof record`)"))
        }
        let jemalloc = settings.jemalloc?.value == true
        if !jemalloc {
            if let arenas = settings.mallocArenaMax {
                if arenas.value > 2 {
                    findings.append(Finding(severity: "warning", code: "malloc_arenas", message:
                        "MALLOC_ARENA_MAX \(arenas.value) (\(arenas.origin)) without jemalloc: each arena fragments on its own; "
                        + "Sidekiq's threads grow RSS with every arena; use 2, or LD_PRELOAD=libjemalloc.so"))
                }
            } else if !settings.isEmpty {
                findings.append(Finding(severity: "warning", code: "malloc_arenas", message:
                    "neither MALLOC_ARENA_MAX nor jemalloc (LD_PRELOAD) is set: glibc makes up to 8 arenas per core for a threaded "
                    + "process, and Sidekiq's RSS grows with them; Mastodon's unit sets MALLOC_ARENA_MAX=2 and LD_PRELOAD=libjemalloc.so"))
            }
        } else if let arenas = settings.mallocArenaMax {
            findings.append(Finding(severity: "note", code: "malloc_arenas", message:
                "MALLOC_ARENA_MAX \(arenas.value) has no effect while jemalloc is preloaded (\(settings.jemalloc!.origin)); harmless"))
        }
        if let overridden = settings.concurrencyOverridden, let threads {
            findings.append(Finding(severity: "note", code: "concurrency_overridden", message:
                "SIDEKIQ_CONCURRENCY \(overridden.value) (\(overridden.origin)) is ignored: \(threads.origin) gives \(threads.value)"))
        }
        if let threads, let recorded = recordedConcurrency, recorded != threads.value {
            findings.append(Finding(severity: "note", code: "concurrency_differs_from_recorded", message:
                "the files give \(threads.value) threads but the recorded heartbeats report \(recorded): the running Sidekiq was "
                + "started with other settings (or a restart is pending)"))
        }
        if let limit = settings.memoryMaxMB, let budget,
            Double(budget.processes) * budget.baseRSSMB + (budget.heaviest?.costMB ?? 0) > limit.value {
            findings.append(Finding(severity: "problem", code: "memory_max", message:
                "MemoryMax \(NumberText.compact(limit.value)) MB (\(limit.origin)) is below "
                + "\(budget.processes) × \(NumberText.compact(budget.baseRSSMB)) MB base RSS + one run of the heaviest class: "
                + "the cgroup OOM-kills Sidekiq"))
        }
        findings += settings.notes.map { Finding(severity: "note", code: "unreadable", message: $0) }
        return findings
    }

    /// The memory arithmetic in one sentence: budget, what is outside Sidekiq, base RSS, heaviest and typical runs.
    public static func budgetSentence(_ budget: CapacityAnalysis.Budget) -> String {
        var text = "\(NumberText.percent(1 - budget.headroomFraction)) % of \(NumberText.compact(budget.memoryMB)) MB − "
            + "\(NumberText.compact(budget.outsideSidekiqMB)) MB outside Sidekiq = \(NumberText.compact(budget.sidekiqMB)) MB for Sidekiq; "
            + "\(budget.processes) × \(NumberText.compact(budget.baseRSSMB)) MB base RSS"
        if let heaviest = budget.heaviest {
            text += " + one \(heaviest.jobClass) run at \(NumberText.compact(heaviest.costMB)) MB"
        }
        text += ", then \(NumberText.compact(budget.typicalRunMB)) MB per typical run"
        return text
    }
}
