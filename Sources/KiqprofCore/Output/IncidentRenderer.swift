/// Renders `kiqprof incident`: the documented JSON (docs/cli.md, README "incident JSON") or a terminal
/// narrative: windows, a compact timeline, the ranked suspects with evidence, then missing data.
public enum IncidentRenderer {
    public static func json(_ analysis: IncidentAnalysis, limit: Int? = nil) -> JSONValue {
        let profiles = limit.map { Array(analysis.profiles.prefix($0)) } ?? analysis.profiles
        return .object([
            ("window", .object([("from", .time(analysis.from)), ("to", .time(analysis.to))])),
            ("outage_windows", .array(analysis.outageWindows.map { window in
                .object([("from", .time(window.from)), ("to", .time(window.to)), ("duration_s", .number(window.duration)),
                         ("signals", .strings(window.signals))])
            })),
            ("oom_kills", .array(analysis.oomKills.map(oomKillJSON))),
            ("suspects", .array(profiles.map { suspectJSON($0, analysis: analysis) })),
            ("measured_cpu", analysis.measuredCPU.map(measuredCPUJSON) ?? .null),
            ("missing", .strings(analysis.missing)),
            ("early_warnings", .array(analysis.earlyWarnings.map(earlyWarningJSON))),
            ("data", .object([
                ("runs", .int(analysis.runCount)), ("classes", .int(analysis.profiles.count)),
                ("host_samples", .int(analysis.hostSampleCount)), ("process_samples", .int(analysis.processSampleCount)),
                ("host_memory_mb", .number(analysis.hostMemoryTotalMB, places: 1)),
                ("memory_limit_mb", .number(analysis.memoryLimitMB, places: 1)), ("cpu_count", .int(analysis.cpuCount)),
            ])),
            ("timeline", timelineJSON(analysis.timeline)),
        ])
    }

    /// A forecast, as `incident`, `report` and `check` print it in JSON.
    public static func earlyWarningJSON(_ warning: EarlyWarning) -> JSONValue {
        .object([
            ("kind", .string(warning.kind.rawValue)), ("subject", .string(warning.subject)),
            ("seconds_left", .number(warning.secondsLeft, places: 0)), ("runs_left", .int(warning.runsLeft)),
            ("growth_per_run", .number(warning.growthPerRun)), ("period_s", .number(warning.period)),
            ("available_mb", .number(warning.availableMB, places: 1)),
            ("rate_mb_per_min", .number(warning.rateMBPerSecond.map { $0 * 60 }, places: 2)),
            ("message", .string(warning.message)),
        ])
    }

    static func oomKillJSON(_ finding: OOMKillFinding) -> JSONValue {
        let kill = finding.kill
        return .object([
            ("t", .time(kill.t)), ("host", .string(kill.host)), ("pid", .int(kill.pid)), ("process", .string(kill.process)),
            ("rss_mb", .number(kill.rssKiB.map { Double($0) / 1024 }, places: 1)), ("cgroup", .text(kill.cgroup)),
            ("constraint", .text(kill.constraint)), ("cgroup_limit", .bool(kill.isCgroupLimit)),
            ("sidekiq_process", .text(finding.sidekiqProcess)),
            ("runs_in_flight", .array(finding.runs.map { run in
                .object([("class", .string(run.jobClass)), ("start", .time(run.start)),
                         ("process_rss_growth_mb", .number(run.processRSSGrowthMB, places: 1))])
            })),
            ("restart_pid", .int(finding.restartPid)), ("restart_at", .time(finding.restartAt)), ("reboot_at", .time(finding.rebootAt)),
            ("sentence", .string(OOMKillMatcher.sentence(finding))),
        ])
    }

    static func suspectJSON(_ profile: ClassProfile, analysis: IncidentAnalysis) -> JSONValue {
        let parts = SuspectScore.parts(profile, hostMemoryMB: analysis.memoryBudgetMB, outageWindowCount: analysis.outageWindows.count)
        let joint = !profile.attribJointWith.isEmpty
        return .object([
            ("rank", .int(profile.rank)), ("class", .string(profile.jobClass)), ("score", .number(profile.score, places: 2)),
            ("periodic", .bool(profile.periodicity != nil)), ("period_s", .number(profile.periodicity?.period)),
            ("period_source", .text(profile.periodicity?.source.rawValue)), ("schedule", .text(profile.periodicity?.scheduleName)),
            ("schedule_enabled", profile.periodicity?.enabled.map { .bool($0) } ?? .null),
            ("period_jitter_s", .number(profile.periodicity?.jitter, places: 1)),
            ("stream_rate_per_s", .number(profile.streamRate, places: 3)),
            ("runs", .int(profile.runs)), ("failed", .int(profile.failed)), ("open", .int(profile.open)),
            ("p50_s", .number(profile.p50)), ("p95_s", .number(profile.p95)), ("max_s", .number(profile.max)),
            ("busy_s", .number(profile.busySeconds)), ("busy_share", .number(profile.busyShare, places: 4)),
            ("max_concurrency", .int(profile.maxConcurrency)), ("overlaps", .int(profile.overlaps)),
            ("duration_to_period", .number(profile.durationToPeriod)),
            ("cpu_lift_pp", .number(profile.cpuLiftPP, places: 2)), ("mem_lift_mb", .number(profile.memLiftMB, places: 1)),
            ("cpu_attrib_pp", .number(joint ? nil : profile.cpuAttribPP, places: 2)),
            ("cpu_attrib_pp_low", .number(joint ? nil : profile.cpuAttribLowPP, places: 2)),
            ("cpu_attrib_pp_high", .number(joint ? nil : profile.cpuAttribHighPP, places: 2)),
            ("mem_attrib_mb", .number(joint ? nil : profile.memAttribMB, places: 1)),
            ("mem_attrib_mb_low", .number(joint ? nil : profile.memAttribLowMB, places: 1)),
            ("mem_attrib_mb_high", .number(joint ? nil : profile.memAttribHighMB, places: 1)),
            ("joint_attribution", joint ? .object([
                ("classes", .strings([profile.jobClass] + profile.attribJointWith)),
                ("cpu_pp", .number(profile.cpuAttribPP, places: 2)), ("cpu_pp_low", .number(profile.cpuAttribLowPP, places: 2)),
                ("cpu_pp_high", .number(profile.cpuAttribHighPP, places: 2)), ("mem_mb", .number(profile.memAttribMB, places: 1)),
                ("mem_mb_low", .number(profile.memAttribLowMB, places: 1)), ("mem_mb_high", .number(profile.memAttribHighMB, places: 1)),
            ]) : .null),
            ("nominal_duration_s", .number(profile.nominalDuration)),
            ("host_cpu_while_running_pct", .number(profile.hostCPUWhileRunningPct, places: 1)),
            ("host_mem_while_running_mb", .number(profile.hostMemWhileRunningMB, places: 1)),
            ("cpu_attrib_basis", .text(profile.cpuAttribPP == nil ? nil : profile.cpuAttribFromProcess ? "process" : "host")),
            ("host_cpu_attrib_pp", .number(profile.cpuAttribFromProcess ? profile.hostCPUAttribPP : profile.cpuAttribPP, places: 2)),
            ("process_cpu_pct", .number(profile.processCPUPct, places: 1)), ("process_cpu_lift_pp", .number(profile.processCPULiftPP,
                places: 1)),
            ("rss_growth_mb", .number(profile.rssGrowthMB, places: 1)), ("rss_growth_max_mb", .number(profile.rssGrowthMaxMB, places: 1)),
            ("in_outage_windows", .int(profile.inOutageWindows)), ("running_at_onset", .int(profile.runningAtOnset)),
            ("started_before_onset", .int(profile.startedBeforeOnset)),
            ("measured_cpu", profile.measuredCPU.map(classCPUJSON) ?? .null),
            ("score_parts", .object([
                ("resource", .number(parts.resource, places: 4)), ("resource_basis", .string(parts.resourceBasis.rawValue)),
                ("recurrence", .number(parts.recurrence, places: 3)), ("outage_presence", .number(parts.outagePresence, places: 3)),
            ])),
            ("evidence", .strings(profile.evidence)),
        ])
    }

    /// The host's and the processes' CPU over the window and the outage windows.
    static func measuredCPUJSON(_ measured: MeasuredCPU) -> JSONValue {
        .object([("cpu_count", .int(measured.cpuCount)), ("window", scopeJSON(measured.window)),
                 ("outage_windows", measured.outage.map(scopeJSON) ?? .null)])
    }

    static func scopeJSON(_ scope: MeasuredCPU.Scope) -> JSONValue {
        .object([
            ("spans", .array(scope.spans.map { .object([("from", .time($0.lowerBound)), ("to", .time($0.upperBound))]) })),
            ("seconds", .number(scope.seconds)), ("host_cpu_s", .number(scope.hostCPUSeconds, places: 2)), ("hosts", .int(scope.hosts)),
            ("host_unobserved_s", .number(scope.hostUnobservedSeconds)),
            ("measured_run_cpu_s", .number(scope.measuredRunCPUSeconds, places: 2)),
            ("job_cpu_s", .number(scope.jobCPUSeconds, places: 2)),
            ("unattributed_job_cpu_s", .number(scope.unattributedJobCPUSeconds, places: 2)),
            ("processes", .array(scope.processes.map { process in
                .object([("identity", .string(process.identity)), ("job_cpu_s", .number(process.jobCPUSeconds, places: 2)),
                         ("measured_run_cpu_s", .number(process.measuredRunCPUSeconds, places: 2)),
                         ("unattributed_job_cpu_s", .number(process.unattributedJobCPUSeconds, places: 2))])
            })),
        ])
    }

    /// A class's measured CPU: over the window, over the outage windows, per running instance and against the attribution.
    public static func classCPUJSON(_ measured: MeasuredCPU.ClassCPU) -> JSONValue {
        .object([
            ("window", tallyJSON(measured.window)), ("outage_windows", measured.outage.map(tallyJSON) ?? .null),
            ("cpu_pp", .number(measured.cpuPP, places: 2)), ("scored", .bool(measured.drivesScore)),
            ("off_thread_cpu_per_run_second", .number(measured.window.offThreadPerRunSecond, places: 3)),
            ("attribution_disagrees", measured.attributionDisagrees.map { .bool($0) } ?? .null),
        ])
    }

    static func tallyJSON(_ tally: MeasuredCPU.Tally) -> JSONValue {
        .object([
            ("runs", .int(tally.runs)), ("runs_measured", .int(tally.measuredRuns)), ("runs_unmeasured", .int(tally.unmeasuredRuns)),
            ("unmeasured", .counts(tally.unmeasured)), ("run_s", .number(tally.runSeconds)),
            ("measured_run_s", .number(tally.measuredRunSeconds)), ("cpu_s", .number(tally.cpuSeconds, places: 2)),
            ("cpu_s_min", .number(tally.cpuSecondsMin, places: 2)), ("cpu_s_max", .number(tally.cpuSecondsMax, places: 2)),
            ("cpu_s_per_run", .number(tally.cpuSecondsPerRun, places: 2)), ("cpu_per_run_s", .number(tally.cpuPerRunSecond, places: 3)),
            ("off_thread_cpu_s", .number(tally.offThreadCPUSeconds, places: 2)), ("host_cpu_s", .number(tally.hostCPUSeconds, places: 2)),
            ("host_share_pct", .number(tally.hostShare.map { $0 * 100 }, places: 1)),
        ])
    }

    /// The text section on measured CPU: the host over the headline scope, and each process's job CPU that no
    /// measured run explains.
    static func measuredCPUText(_ measured: MeasuredCPU) -> String {
        let scope = measured.headline
        let name = EvidenceWriter.scopeName(scope.isOutage ? scope.spans.count : 0)
        let cpu = EvidenceWriter.cpuSeconds
        var out = "Measured CPU in \(name) (\(DurationExpression.humanize(scope.seconds)))\n"
        var host = "  - "
        if let spent = scope.hostCPUSeconds {
            host += "\(scope.hosts > 1 ? "the \(scope.hosts) hosts" : "the host") spent \(cpu(spent)) CPU-seconds"
            if let cores = measured.cpuCount { host += " (\(cores) core\(cores == 1 ? "" : "s"))" }
            if scope.hostUnobservedSeconds >= 1 { host += ", not sampled for \(DurationExpression.humanize(scope.hostUnobservedSeconds))" }
        } else {
            host += "the host's CPU is unknown (no host sample with CPU and a CPU count)"
        }
        host += "; the measured runs used \(cpu(scope.measuredRunCPUSeconds))"
        out += host + "\n"
        for process in scope.processes {
            out += "  - \(TextTable.sanitize(process.identity)): \(cpu(process.unattributedJobCPUSeconds)) CPU-seconds of unattributed"
                + " job CPU (its job threads used \(cpu(process.jobCPUSeconds)), its measured runs"
                + " \(cpu(process.measuredRunCPUSeconds)): runs too short to be seen, or not measured)\n"
        }
        return out + "\n"
    }

    static func timelineJSON(_ timeline: IncidentTimeline) -> JSONValue {
        .object([
            ("width_s", .number(timeline.width)), ("classes", .strings(timeline.classes)),
            ("rows", .array(timeline.buckets.map { bucket in
                .object([("start", .time(bucket.start)), ("cpu_mean_pct", .number(bucket.cpuMeanPct, places: 1)),
                         ("cpu_max_pct", .number(bucket.cpuMaxPct, places: 1)), ("mem_used_mb", .number(bucket.memUsedMB, places: 1)),
                         ("mem_used_pct", .number(bucket.memUsedPct, places: 1)), ("load1", .number(bucket.load1, places: 2)),
                         ("in_outage", .bool(bucket.inOutage)), ("runs", .array(bucket.runs.map { .int($0) }))])
            })),
        ])
    }

    public static func text(_ analysis: IncidentAnalysis, limit: Int = 10) -> String {
        var out = "Incident analysis \(ISOTimestamp.short(analysis.from)) → \(ISOTimestamp.short(analysis.to)) (times in UTC)\n"
        out += "  \(analysis.runCount) runs of \(analysis.profiles.count) classes, \(analysis.hostSampleCount) host samples,"
            + " \(analysis.processSampleCount) process samples\n\n"

        if analysis.outageWindows.isEmpty {
            out += "Outage windows: none found (CPU ≥ \(NumberText.compact(analysis.thresholds.cpuBusyPct)) % for"
                + " \(DurationExpression.humanize(analysis.thresholds.cpuMinimumDuration)), MemAvailable ≤"
                + " \(NumberText.compact(analysis.thresholds.memAvailablePct)) %, swapping, pressure, sampling gaps, stale heartbeats,"
                + " queue latency ≥ \(DurationExpression.humanize(analysis.thresholds.queueLatency))).\n\n"
        } else {
            out += "Outage windows (\(analysis.outageWindows.count))\n"
            for (index, window) in analysis.outageWindows.enumerated() {
                out += "  \(index + 1). \(ISOTimestamp.short(window.from)) →"
                    + " \(ISOTimestamp.short(window.to)) (\(DurationExpression.humanize(window.duration)))\n"
                for signal in window.signals { out += "     - \(TextTable.sanitize(signal, limit: 200))\n" }
            }
            out += "\n"
        }

        if !analysis.oomKills.isEmpty {
            out += "OOM kills (\(analysis.oomKills.count))\n"
            for finding in analysis.oomKills { out += "  - \(TextTable.sanitize(OOMKillMatcher.sentence(finding), limit: 600))\n" }
            out += "\n"
        }

        out += timelineText(analysis.timeline)

        let shown = analysis.profiles.prefix(limit)
        if shown.isEmpty {
            out += "Suspects: none (no job runs in the window).\n\n"
        } else {
            out += "Suspects, most likely first\n"
            for profile in shown {
                out += "  \(profile.rank). \(TextTable.sanitize(profile.jobClass))  (score \(NumberText.compact(profile.score)))\n"
                for sentence in profile.evidence { out += "     - \(TextTable.sanitize(sentence, limit: 300))\n" }
            }
            if analysis.profiles.count > shown.count {
                out += "  … \(analysis.profiles.count - shown.count) more classes (--limit N, or --json for all)\n"
            }
            out += "\n"
        }

        if let measured = analysis.measuredCPU { out += measuredCPUText(measured) }

        if !analysis.earlyWarnings.isEmpty {
            out += "Early warnings\n"
            for warning in analysis.earlyWarnings { out += "  - \(TextTable.sanitize(warning.message, limit: 300))\n" }
            out += "\n"
        }

        if !analysis.missing.isEmpty {
            out += "Missing data\n"
            for sentence in analysis.missing { out += "  - \(sentence)\n" }
            out += "\n"
        }
        return out
    }

    static func timelineText(_ timeline: IncidentTimeline) -> String {
        guard !timeline.buckets.isEmpty else { return "" }
        var out = "Timeline (\(DurationExpression.humanize(timeline.width)) per line; ! = outage window; A, B, C = runs of the top"
            + " suspects)\n"
        let letters = ["A", "B", "C"]
        var table = TextTable(headers: ["", "TIME", "CPU% mean/max", "", "MEM", "LOAD"] + letters.prefix(timeline.classes.count).map { $0 },
                              rightAligned: Set([2, 4, 5]))
        for bucket in timeline.buckets {
            let cpu = bucket.cpuMeanPct.map { "\(NumberText.compact($0))/\(NumberText.compact(bucket.cpuMaxPct ?? $0))" } ?? "-"
            let bar = bucket.cpuMeanPct.map { String(repeating: "█", count: Int(($0 / 10).rounded())) } ?? ""
            let memory = bucket.memUsedMB.map { "\(NumberText.compact($0)) MB" } ?? bucket.memUsedPct.map { "\(NumberText.compact($0)) %" }
                ?? "-"
            let load = bucket.load1.map { NumberText.compact($0) } ?? "-"
            let runs = bucket.runs.map { $0 == 0 ? "." : ($0 > 9 ? "+" : String($0)) }
            table.add([bucket.inOutage ? "!" : "", timeText(bucket.start, width: timeline.width), cpu, bar, memory, load] + runs)
        }
        out += table.render()
        for (index, name) in timeline.classes.enumerated() { out += "  \(letters[index]) = \(TextTable.sanitize(name))\n" }
        return out + "\n"
    }

    private static func timeText(_ t: Double, width: Double) -> String {
        let full = ISOTimestamp.short(t)
        return width >= 3600 * 6 ? String(full.prefix(16)) : String(full.dropFirst(11).prefix(8))
    }
}
