/// Renders `kiqprof status` as the documented JSON (docs/cli.md) or as aligned tables for a terminal.
public enum StatusRenderer {
    public static func json(_ status: SidekiqStatus) -> JSONValue {
        let now = status.now
        return .object([
            ("now", .time(now)),
            ("versions", .strings(status.versions)),
            ("stats", .object([
                ("processed", .int64(status.processed)), ("failed", .int64(status.failed)),
                ("processed_today", .int64(status.processedToday)), ("failed_today", .int64(status.failedToday)),
                ("enqueued", .int(status.enqueued)),
            ])),
            ("sets", .object([("retry", .int(status.retrySize)), ("schedule", .int(status.scheduleSize)), ("dead",
                .int(status.deadSize))])),
            ("queues", .array(status.queues.map { queue in
                .object([("name", .string(queue.name)), ("size", .int(queue.size)), ("latency_s", .number(queue.latency)),
                         ("oldest_jid", .text(queue.oldestJid)), ("oldest_class", .text(queue.oldestClass))])
            })),
            ("processes", .array(status.processes.map { process in
                .object([
                    ("identity", .string(process.identity)), ("state", .string(process.state.rawValue)),
                    ("hostname", .string(process.hostname)), ("pid", .int(process.pid)), ("tag", .text(process.tag)),
                    ("version", .text(process.version)), ("version_family", .string(process.versionLabel)),
                    ("concurrency", .int(process.concurrency)), ("busy", .int(process.busy)), ("beat", .time(process.beat)),
                    ("beat_age_s", .number(process.beatAge(now: now))), ("stale", .bool(process.isStale(now: now))),
                    ("quiet", process.quiet.map { .bool($0) } ?? .null), ("rss_kib", .int(process.rssKiB)),
                    ("rtt_us", .int(process.rttMicros)), ("queues", .strings(process.queues)), ("started_at", .time(process.startedAt)),
                    ("work_key", .string(process.usesLegacyWorkersKey ? "workers" : "work")),
                ])
            })),
            ("busy", .array(status.busy.map { job in
                .object([
                    ("identity", .string(job.identity)), ("tid", .string(job.tid)), ("jid", .text(job.jid)),
                    ("class", .string(job.jobClass)), ("wrapper_class", .text(job.payload.wrapperClass)), ("queue", .string(job.queue)),
                    ("run_at", .time(job.runAt)), ("elapsed_s", .number(job.elapsed(now: now))),
                ])
            })),
            ("schedules", .array(status.schedules.map { schedule in
                .object([
                    ("name", .string(schedule.name)), ("class", .string(schedule.jobClass)), ("source", .string(schedule.source.rawValue)),
                    ("cron", .text(schedule.cron)), ("every", .text(schedule.every)), ("period_s", .number(schedule.periodSeconds)),
                    ("enabled", .bool(schedule.enabled)), ("last_run", .time(schedule.lastRun)), ("next_run", .time(schedule.nextRun)),
                    ("queue", .text(schedule.queue)), ("cron_namespace", .text(schedule.cronNamespace)),
                ])
            })),
            ("warnings", .strings(status.warnings)),
        ])
    }

    public static func text(_ status: SidekiqStatus, endpoint: String) -> String {
        let now = status.now
        var out = "Sidekiq at \(endpoint), \(ISOTimestamp.short(now))\n"
        let versions = status.versions.isEmpty ? "no live process" : status.versions.joined(separator: ", ")
        out += "  version \(versions) · processed \(status.processed.map(String.init) ?? "?") · failed"
            + " \(status.failed.map(String.init) ?? "?")"
        out += " · today \(status.processedToday.map(String.init) ?? "0")/\(status.failedToday.map(String.init) ?? "0")\n"
        out += "  enqueued \(status.enqueued) · retry \(status.retrySize) · scheduled \(status.scheduleSize) · dead \(status.deadSize)\n"

        out += "\nProcesses (\(status.processes.count))\n"
        if status.processes.isEmpty {
            out += "  none: no Sidekiq process has a heartbeat in this Redis (wrong --redis, --namespace or db?)\n"
        } else {
            var table = TextTable(headers: ["IDENTITY", "VERSION", "TAG", "BUSY", "BEAT AGE", "RSS", "RTT", "STATE"], rightAligned: [3, 4,
                5, 6])
            for process in status.processes {
                let state: String
                if process.state == .gone {
                    state = "GONE (hash expired: crashed or killed)"
                } else if process.isStale(now: now) {
                    state = "STALE (> \(Int(process.staleAfterSeconds))s)"
                } else {
                    state = process.quiet == true ? "quiet" : "ok"
                }
                table.add([
                    process.identity, process.state == .gone ? "-" : process.versionLabel, process.tag ?? "",
                    process.busy.map { "\($0)/\(process.concurrency.map(String.init) ?? "?")" } ?? "-",
                    process.beatAge(now: now).map(DurationExpression.humanize) ?? "-",
                    process.rssKiB.map { "\($0 / 1024) MB" } ?? "-", process.rttMicros.map { "\($0)µs" } ?? "-", state,
                ])
            }
            out += table.render()
        }

        out += "\nQueues (\(status.queues.count))\n"
        if status.queues.isEmpty {
            out += "  none\n"
        } else {
            var table = TextTable(headers: ["QUEUE", "SIZE", "LATENCY", "NEXT"], rightAligned: [1, 2])
            for queue in status.queues.sorted(by: { ($1.latency ?? 0, $0.name) < ($0.latency ?? 0, $1.name) }) {
                table.add([queue.name, String(queue.size), queue.latency.map(DurationExpression.humanize) ?? "?", queue.oldestClass ?? ""])
            }
            out += table.render()
        }

        out += "\nBusy (\(status.busy.count)), longest-running first\n"
        if status.busy.isEmpty {
            out += "  none\n"
        } else {
            var table = TextTable(headers: ["CLASS", "QUEUE", "PROCESS", "TID", "JID", "STARTED", "ELAPSED"], rightAligned: [6])
            for job in status.busy {
                table.add([job.jobClass, job.queue, job.identity, job.tid, job.jid ?? "?", ISOTimestamp.short(job.runAt),
                           DurationExpression.humanize(job.elapsed(now: now))])
            }
            out += table.render()
        }

        out += "\nPeriodic schedules (\(status.schedules.count))\n"
        if status.schedules.isEmpty {
            out += "  none found (sidekiq-scheduler and sidekiq-cron keys are empty)\n"
        } else {
            var table = TextTable(headers: ["NAME", "CLASS", "SOURCE", "CRON/EVERY", "LAST RUN", "NEXT RUN", "ENABLED"])
            for schedule in status.schedules {
                table.add([schedule.name, schedule.jobClass, schedule.source.rawValue, schedule.cron ?? schedule.every ?? "?",
                           schedule.lastRun.map(ISOTimestamp.short) ?? "-", schedule.nextRun.map(ISOTimestamp.short) ?? "-",
                           schedule.enabled ? "yes" : "NO"])
            }
            out += table.render()
        }
        if !status.warnings.isEmpty {
            out += "\nWarnings (\(status.warnings.count))\n"
            for warning in status.warnings { out += "  " + TextTable.sanitize(warning, limit: 200) + "\n" }
        }
        return out
    }
}
